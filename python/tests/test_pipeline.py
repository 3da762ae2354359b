"""moulin.Pipeline over dicts: plugin stages, Python stages, failures, threads."""

from __future__ import annotations

import pytest

import moulin
from conftest import MISBEHAVE

NEWS = [
    {"id": f"d{i}", "text": text, "meta": {"n": i}}
    for i, text in enumerate(
        [
            "Le gouvernement a présenté mardi son projet de loi de finances pour l'année prochaine.",
            "The minister said the budget would be presented to parliament next week.",
            "El presidente del gobierno anunció nuevas medidas económicas este martes.",
            "Les syndicats appellent à une journée de mobilisation   nationale jeudi.",
        ]
        * 50
    )
]


def test_plugin_stages_run_over_dicts_in_input_order():
    pipeline = moulin.Pipeline(
        [{"id": "clean", "plugin": "normalize"}, {"id": "lang", "plugin": "langid", "config": {"candidates": ["fr", "en", "es"]}}]
    )
    out = list(pipeline.process(NEWS))
    assert [d["id"] for d in out] == [d["id"] for d in NEWS]
    assert [d["lang"] for d in out[:4]] == ["fr", "en", "es", "fr"]
    assert 0 < out[0]["lang_score"] <= 1
    assert out[3]["text"] == "Les syndicats appellent à une journée de mobilisation nationale jeudi."
    assert out[5]["meta"] == {"n": 5}


def test_a_python_filter_drops_and_counts():
    def only_french(doc):
        if doc["lang"] == "fr":
            return dict(doc, meta=dict(doc["meta"], checked=True))
        return None if doc["lang"] == "en" else f"not french: {doc['lang']}"

    pipeline = moulin.Pipeline([{"plugin": "langid", "config": {"candidates": ["fr", "en", "es"]}}, only_french])
    outputs = pipeline.process(NEWS)
    kept = list(outputs)
    assert len(kept) == 100 and all(d["meta"]["checked"] for d in kept)
    assert (outputs.kept, outputs.dropped, outputs.failed) == (100, 100, 0)
    every = list(pipeline.process(NEWS[:4], outcomes=True))
    assert [(d["outcome"], d["stage"], d["reason"]) for d in every] == [
        ("kept", None, None),
        ("dropped", "only_french", "only_french: dropped"),
        ("dropped", "only_french", "not french: es"),
        ("kept", None, None),
    ]


def test_a_raising_python_stage_fails_that_document_only_with_its_traceback():
    def picky(doc):
        if "ministre" in doc["text"] or "minister" in doc["text"]:
            raise ValueError(f"no ministers in {doc['id']}")
        return doc

    outputs = moulin.Pipeline([picky]).process(NEWS[:8])
    kept = [d["id"] for d in outputs]
    assert kept == ["d0", "d2", "d3", "d4", "d6", "d7"]
    assert [f["id"] for f in outputs.failures] == ["d1", "d5"]
    error = outputs.failures[0]["error"]
    assert "Traceback" in error and "ValueError: no ministers in d1" in error
    assert outputs.failures[0]["stage"] == "picky"


def test_the_batch_form_and_a_raising_batch():
    calls = []

    def upper(docs):
        calls.append(len(docs))
        if any("PANIC" in d["text"] for d in docs):
            raise RuntimeError("boom")
        return [dict(d, text=d["text"].upper()) for d in docs]

    docs = ["a", "b", "PANIC", "c"]
    outputs = moulin.Pipeline([{"id": "up", "python": upper, "batch": True}]).process(docs)
    assert [d["text"] for d in outputs] == ["A", "B", "C"]
    assert [f["id"] for f in outputs.failures] == ["2"]
    assert "RuntimeError: boom" in outputs.failures[0]["error"]
    assert calls == [4, 1, 1, 1, 1]


def test_a_panicking_rust_stage_fails_one_document_and_the_rest_pass():
    pipeline = moulin.Pipeline([{"id": "p", "plugin": "panicky"}], plugin_path=[MISBEHAVE])
    docs = [f"doc {i}" for i in range(10)] + ["PANIC here"] + [f"doc {i}" for i in range(10, 20)]
    outputs = pipeline.process(docs)
    assert len(list(outputs)) == 20
    assert outputs.failed == 1
    assert outputs.failures[0]["id"] == "10" and "found PANIC in 10" in outputs.failures[0]["error"]


def test_an_item_that_is_not_a_document_fails_in_its_place():
    outputs = moulin.Pipeline([]).process(["a", 42, {"id": "x"}, {"text": "b", "meta": [1]}, "c"], outcomes=True)
    got = [(d["id"], d["outcome"]) for d in outputs]
    assert got == [("0", "kept"), ("", "failed"), ("x", "failed"), ("", "failed"), ("4", "kept")]
    errors = [f["error"] for f in outputs.failures]
    assert errors[0] == "item 1: expected a dict with a `text` (or a str), found int"
    assert errors[1] == "item 2: document `x`: no `text`"
    assert "`meta`: expected a dict, found list" in errors[2]


def test_an_exception_of_the_input_is_raised_after_what_came_before():
    def docs():
        yield "a"
        yield "b"
        raise KeyError("the source broke")

    outputs = moulin.Pipeline([]).process(docs())
    with pytest.raises(KeyError, match="the source broke"):
        list(outputs)


def test_several_threads_give_the_output_of_one():
    stages = [
        {"id": "clean", "plugin": "normalize"},
        {"id": "lang", "plugin": "langid"},
        lambda d: d if len(d["text"]) % 3 else None,
    ]
    one = list(moulin.Pipeline(stages, threads=1, batch_documents=7).process(NEWS))
    four = list(moulin.Pipeline(stages, threads=4, batch_documents=7).process(NEWS))
    assert one == four and 0 < len(one) < len(NEWS)


def test_stage_errors_raise_config_error_with_the_key():
    with pytest.raises(moulin.ConfigError) as e:
        moulin.Pipeline([{"id": "x", "plugin": "normalise"}])
    assert e.value.key == "stage[0].plugin" and "nearest: normalize" in str(e.value)
    with pytest.raises(moulin.ConfigError) as e:
        moulin.Pipeline([{"plugin": "langid", "config": {"candidates": ["fr"], "min_scor": 1}}])
    assert e.value.key == "stage[0].config.min_scor"
    with pytest.raises(moulin.ConfigError, match="needs 1 pass"):
        moulin.Pipeline([{"plugin": "dedup"}])
    with pytest.raises(TypeError, match=r"stages\[0\]: expected a dict"):
        moulin.Pipeline([42])


def test_spans_come_back_and_bad_spans_fail_the_document():
    def tag(doc):
        start = doc["text"].encode().index("Paris".encode())
        doc["spans"] = [{"start": start, "end": start + 5, "layer": "entity", "label": "LOC", "attrs": {"k": 1}}]
        return doc

    out = list(moulin.Pipeline([tag]).process(["À Paris"]))
    assert out[0]["spans"] == [
        {"start": 3, "end": 8, "layer": "entity", "label": "LOC", "score": None, "source": "", "attrs": {"k": 1}}
    ]
    outputs = moulin.Pipeline([lambda d: dict(d, spans=[{"start": 1, "end": 2}])]).process(["é"])
    assert list(outputs) == [] and "not a range of character boundaries" in outputs.failures[0]["error"]


def test_the_package_doctest():
    import doctest

    assert doctest.testmod(moulin).failed == 0


def test_two_callables_get_ids_of_their_own():
    outputs = moulin.Pipeline([lambda d: d, lambda d: None]).process(["a"], outcomes=True)
    assert [(d["outcome"], d["stage"]) for d in outputs] == [("dropped", "<lambda>-2")]


def test_a_library_that_does_not_load_is_said(plugin_path):
    broken = plugin_path / "libtest_not_a_plugin.so"
    with pytest.warns(RuntimeWarning, match="libtest_not_a_plugin"):
        moulin.Pipeline([{"plugin": "normalize"}], plugin_path=[broken])
    with pytest.raises(moulin.ConfigError) as e:
        moulin.Pipeline([{"plugin": "not_there"}], plugin_path=[broken])
    kinds = [p["kind"] for p in e.value.problems]
    assert kinds == ["config", "plugin"] and "libtest_not_a_plugin" in e.value.problems[1]["file"]


def test_a_bad_result_of_the_batch_form_fails_its_document_only_and_nothing_runs_twice():
    calls = []

    def tag(docs):
        calls.append([d["id"] for d in docs])
        return [42 if d["id"] == "1" else dict(d, text=d["text"] + "!") for d in docs]

    outputs = moulin.Pipeline([{"python": tag, "batch": True}]).process(["a", "b", "c"])
    assert [d["text"] for d in outputs] == ["a!", "c!"]
    assert calls == [["0", "1", "2"]]
    assert "returns a dict, None (drop) or a str" in outputs.failures[0]["error"]
