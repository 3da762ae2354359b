"""moulin.run and moulin.check on project files, against the `moulin` command."""

from __future__ import annotations

import re
import subprocess

import pytest

import moulin


def normalise(summary: str, output: str) -> str:
    """A summary without its times and output folder."""
    summary = summary.replace(output, "OUT")
    return re.sub(r"\d+\.\d+", "T", summary)


def test_the_example_project_runs_as_the_command_runs_it(root, tmp_path):
    project = root / "examples" / "french-news" / "moulin.toml"
    report = moulin.run(project, output=tmp_path / "py", threads=2, progress=False)
    cli = subprocess.run(
        [root / "target" / "debug" / "moulin", "run", project, "--quiet", "--threads", "2", "--output", tmp_path / "cli"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert normalise(str(report), str(tmp_path / "py")) == normalise(cli.stdout, str(tmp_path / "cli"))
    assert report.totals["documents"] == 5 and report.totals["exported"] == 5 and not report.has_failures()
    assert [s["id"] for s in report.stages][:2] == ["clean", "normalize"]
    assert len(report.files) == 5 and report.output_dir == str(tmp_path / "py")
    ours = (tmp_path / "py" / "documents.jsonl").read_bytes()
    assert ours == (tmp_path / "cli" / "documents.jsonl").read_bytes() and ours
    assert report.to_dict()["totals"] == report.totals


def test_progress_goes_to_a_callback(root, tmp_path):
    events = []
    moulin.run(root / "examples" / "french-news" / "moulin.toml", output=tmp_path, progress=events.append)
    kinds = [e["event"] for e in events]
    # boilerplate's `repeated` makes a pass before the main pass.
    assert kinds[0] == "pass" and "start" in kinds and "advance" in kinds and kinds[-1] == "finish"
    assert any(e["event"] == "stages" and e["stages"][0]["id"] == "clean" for e in events)


BAD = """\
[project]
name = "bad"

[input]
paths = ["corpus"]

[[stage]]
id = "lang"
plugin = "langid"
config = { candidates = ["fr"], min_scor = 0.5 }
"""


def test_config_errors_are_exceptions_with_file_line_and_key(tmp_path):
    (tmp_path / "corpus").mkdir()
    project = tmp_path / "moulin.toml"
    project.write_text(BAD)
    problems = moulin.check(project)
    assert len(problems) == 1 and problems[0]["kind"] == "config"
    assert problems[0]["key"] == "stage[0].config.min_scor" and problems[0]["line"] == 10
    with pytest.raises(moulin.ConfigError) as e:
        moulin.run(project, progress=False)
    assert (e.value.file, e.value.line, e.value.key) == (str(project), 10, "stage[0].config.min_scor")
    assert isinstance(e.value, moulin.MoulinError) and e.value.problems == problems
    assert moulin.check(tmp_path / "missing.toml")[0]["file"] == str(tmp_path / "missing.toml")


def test_a_bad_input_file_is_counted_not_raised(tmp_path):
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.jsonl").write_text('{"id": "a", "text": "Bonjour"}\nnot json\n')
    project = tmp_path / "moulin.toml"
    project.write_text(
        '[project]\nname = "x"\noutput = "out"\n[input]\npaths = ["corpus"]\n'
        '[[stage]]\nid = "export"\nplugin = "jsonl"\nconfig = { path = "docs.jsonl" }\n'
    )
    report = moulin.run(project, progress=False)
    assert report.has_failures() and report.totals["failed"] == 1 and report.totals["exported"] == 1
    assert "a.jsonl" in (tmp_path / "out" / "errors.jsonl").read_text()


def test_progress_as_a_tqdm_bar(root, tmp_path, capsys):
    pytest.importorskip("tqdm")
    moulin.run(root / "examples" / "french-news" / "moulin.toml", output=tmp_path, progress="tqdm")
    err = capsys.readouterr().err
    # The pass of `clean` (boilerplate's repeated lines), then the main pass, in bytes.
    assert "pass 1 of 1 of clean" in err and "moulin" in err and "B/s" in err, err
