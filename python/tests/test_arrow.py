"""Pipeline.process_arrow: pyarrow data in and out, with the Parquet exporter's columns."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

import moulin

STAGES = [{"id": "clean", "plugin": "normalize"}, {"id": "lang", "plugin": "langid", "config": {"candidates": ["fr", "en"]}}]
TEXTS = ["Bonjour   à tous, voici les nouvelles du jour.", "Good morning, here is the news of the day.", ""] * 40


def test_a_table_comes_back_with_the_exporter_columns_as_the_dicts_do():
    table = pa.table({"id": [f"t{i}" for i in range(len(TEXTS))], "text": TEXTS})
    pipeline = moulin.Pipeline(STAGES + [lambda d: d if d["text"] else "empty"])
    out = pipeline.process_arrow(table)
    assert out.column_names == ["id", "text", "lang", "lang_score", "meta", "spans"]
    dicts = list(pipeline.process(table.to_pylist()))
    assert out.num_rows == len(dicts) == 80
    assert out.column("id").to_pylist() == [d["id"] for d in dicts]
    assert out.column("text").to_pylist() == [d["text"] for d in dicts]
    assert out.column("lang").to_pylist()[:2] == ["fr", "en"]


def test_batches_readers_and_outcomes():
    batch = pa.RecordBatch.from_pydict({"text": TEXTS[:3], "meta": ['{"a": 1}', "{}", "{}"]})
    out = moulin.Pipeline([lambda d: d if d["text"] else None]).process_arrow([batch, batch], outcomes=True)
    assert out.column("outcome").to_pylist() == ["kept", "kept", "dropped"] * 2
    assert out.column("id").to_pylist() == ["0", "1", "2", "3", "4", "5"]
    assert json.loads(out.column("meta").to_pylist()[0]) == {"a": 1}
    reader = pa.RecordBatchReader.from_batches(batch.schema, [batch])
    assert moulin.Pipeline([]).process_arrow(reader).num_rows == 3


def test_a_wrong_column_raises_before_anything_runs_and_a_null_text_fails_its_row():
    with pytest.raises(TypeError, match=r"column `text`: expected strings \(utf8\), found Int64"):
        moulin.Pipeline([]).process_arrow(pa.table({"text": [1, 2]}))
    out = moulin.Pipeline([]).process_arrow(pa.table({"text": ["a", None, "c"]}), outcomes=True)
    assert out.column("outcome").to_pylist() == ["kept", "failed", "kept"]
    assert out.column("reason").to_pylist()[1] == "row 1 (id `1`): `text` is null"


def test_several_threads_give_the_table_of_one():
    table = pa.table({"text": TEXTS * 10})
    one = moulin.Pipeline(STAGES, threads=1, batch_documents=16).process_arrow(table)
    three = moulin.Pipeline(STAGES, threads=3, batch_documents=16).process_arrow(table)
    assert one.equals(three)


def test_a_lazy_result_is_read_as_the_pipeline_goes_with_a_python_stage():
    # The Python stage takes the GIL on a worker while the caller reads batches: pyarrow
    # releases it while it waits for the next one.
    table = pa.table({"text": [f"doc {i}" for i in range(200_000)]})
    reader = moulin.Pipeline([lambda d: dict(d, text=d["text"].upper())], threads=2).process_arrow(table, lazy=True)
    assert isinstance(reader, pa.RecordBatchReader)
    sizes = [b.num_rows for b in reader]
    assert sizes == [65_536, 65_536, 65_536, 3_392]


def test_a_pipeline_that_stops_raises_run_stopped(plugin_path):
    from conftest import MISBEHAVE

    pipeline = moulin.Pipeline([{"plugin": "panicky"}], plugin_path=[MISBEHAVE], max_stage_restarts=0)
    table = pa.table({"text": ["a", "PANIC", "b"]})
    with pytest.raises(moulin.RunStopped, match="made it panic, more than max_stage_restarts"):
        pipeline.process_arrow(table)
    with pytest.raises(moulin.RunStopped):
        list(pipeline.process_arrow(table, lazy=True))
    with pytest.raises(moulin.RunStopped):
        list(pipeline.process(["a", "PANIC", "b"]))


def test_parquet_in_and_out_batch_by_batch(tmp_path):
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"id": [f"p{i}" for i in range(5000)], "text": [f"  texte   {i} " for i in range(5000)]}), tmp_path / "in.parquet", row_group_size=1000)
    source = pq.ParquetFile(tmp_path / "in.parquet").iter_batches(batch_size=700)
    reader = moulin.Pipeline([{"plugin": "normalize"}]).process_arrow(source, lazy=True)
    with pq.ParquetWriter(tmp_path / "out.parquet", reader.schema) as writer:
        for batch in reader:
            writer.write_batch(batch)
    out = pq.read_table(tmp_path / "out.parquet")
    assert out.num_rows == 5000 and out.column("text").to_pylist()[4999] == "texte 4999"
    with pytest.raises(ValueError, match="no record batch"):
        moulin.Pipeline([]).process_arrow(iter([]))
