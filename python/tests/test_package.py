"""The package as installed: its type stubs against the native module, and docs/python.md's
datatrove comparison run as written there."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

import moulin


def test_the_stubs_match_the_native_module(tmp_path):
    pytest.importorskip("mypy")
    result = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "moulin._native"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_datatrove_comparison_of_the_docs_runs(root, tmp_path, monkeypatch):
    text = (root / "docs" / "python.md").read_text()
    code = re.search(r"```python\n# moulin: .*?\n(.*?)```", text, re.S).group(1)
    (tmp_path / "data" / "in").mkdir(parents=True)
    words = "the hugging face of a very good and long document about many things " * 10
    records = [{"id": "a", "text": words}, {"id": "b", "text": words.replace("hugging", "warm")}, {"id": "c", "text": "short"}]
    (tmp_path / "data" / "in" / "x.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "docs/python.md", "exec"), {})
    kept = [json.loads(l)["id"] for l in (tmp_path / "data" / "out" / "documents.jsonl").read_text().splitlines()]
    removed = [json.loads(l) for l in (tmp_path / "data" / "removed.jsonl").read_text().splitlines()]
    assert kept == ["a"]
    assert [r["id"] for r in removed] == ["b", "c"]
    assert removed[0]["reason"] == "lambda: no hugging" and removed[1]["reason"].startswith("gopher")


def test_plugins_in_the_package_folder_are_found(plugin_path, tmp_path, monkeypatch):
    folder = __import__("pathlib").Path(moulin.__file__).parent / "plugins"
    if folder.exists():
        pytest.skip(f"{folder} exists already: this test makes it and removes it")
    folder.mkdir()
    try:
        (folder / "libmoulin_normalize.so").write_bytes((plugin_path / "libmoulin_normalize.so").read_bytes())
        monkeypatch.delenv("MOULIN_PLUGIN_PATH")
        code = "import moulin; print(list(moulin.Pipeline([{'plugin': 'normalize'}]).process([' a  b ']))[0]['text'])"
        # A fresh interpreter: the folder is looked for when the module is imported.
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
        assert result.stdout.strip() == "a b", result.stderr
    finally:
        for f in folder.iterdir():
            f.unlink()
        folder.rmdir()
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert "unknown plugin stage `normalize`" in result.stderr
