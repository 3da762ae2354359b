"""moulin: corpus processing with native plugin stages, from Python.

Run a project file as ``moulin run`` does, or run stages over documents you have::

    import moulin

    report = moulin.run("examples/french-news/moulin.toml", output="out")
    print(report)                       # the summary `moulin run` prints

    pipeline = moulin.Pipeline([
        {"id": "clean", "plugin": "normalize"},
        {"id": "lang", "plugin": "langid", "config": {"candidates": ["fr", "en"]}},
        lambda doc: doc if doc["lang"] == "fr" else None,   # a Python stage
    ])
    for doc in pipeline.process([{"id": "a", "text": "Bonjour à tous, voici les nouvelles."}]):
        print(doc["id"], doc["lang"])

Documents are dicts: ``text`` (required), ``id`` (default: the item's number), ``lang``,
``lang_score``, ``meta`` (a dict) and ``spans`` (dicts ``start``, ``end``, ``layer``,
``label``, ``score``, ``source``, ``attrs``; offsets are in bytes of the UTF-8 text, as the
exporters write them). Plugin libraries are found as the ``moulin`` command finds them
(``plugin_path`` or the project's ``[plugins] paths``, then ``MOULIN_PLUGIN_PATH``), then in
the ``plugins`` folder beside this package.

>>> p = Pipeline([lambda d: dict(d, text=d["text"].upper())])
>>> [d["text"] for d in p.process(["salut", {"id": "x", "text": "ça va"}])]
['SALUT', 'ÇA VA']
"""

from __future__ import annotations

import itertools
import os
import sys
from typing import Any, Callable, Iterable, Iterator, Mapping, Optional, Sequence, Union

from . import _native
from ._native import (
    ABI_VERSION,
    ConfigError,
    MoulinError,
    OutputError,
    OutputLocked,
    Outputs,
    PassError,
    PluginError,
    Report,
    ResumeError,
    RunStopped,
)

__all__ = [
    "ABI_VERSION",
    "ConfigError",
    "MoulinError",
    "OutputError",
    "OutputLocked",
    "Outputs",
    "PassError",
    "Pipeline",
    "PluginError",
    "Report",
    "ResumeError",
    "RunStopped",
    "check",
    "run",
]

Progress = Union[None, bool, str, Callable[[dict], Any]]

# Plugin libraries installed beside the package are found too, after the command's folders.
_PLUGINS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "plugins")
if os.path.isdir(_PLUGINS):
    _native.search_also(_PLUGINS)


def _in_notebook() -> bool:
    shell = sys.modules.get("IPython")
    try:
        return shell is not None and shell.get_ipython().__class__.__name__ == "ZMQInteractiveShell"
    except Exception:
        return False


def _progress(progress: Progress):
    """What the native run takes: None, "terminal" or a callable."""
    if progress is False:
        return None
    if progress is None or progress is True:
        if _in_notebook():
            from ._progress import TqdmProgress

            bar = TqdmProgress.create()
            if bar is not None:
                return bar
        if progress is True or sys.stderr.isatty():
            return "terminal"
        return None
    if progress == "tqdm":
        from ._progress import TqdmProgress

        bar = TqdmProgress.create()
        if bar is None:
            raise ImportError("progress='tqdm' needs the tqdm package")
        return bar
    return progress


def run(
    project: Union[str, os.PathLike],
    output: Optional[Union[str, os.PathLike]] = None,
    threads: Optional[int] = None,
    shard: Optional[str] = None,
    resume: bool = False,
    until_pass: Optional[int] = None,
    progress: Progress = None,
) -> Report:
    """Run a project file, as ``moulin run`` does, and return its :class:`Report`.

    ``output`` replaces the project's output folder; ``threads`` (default: one per core);
    ``shard`` is ``"I/N"``, ``"auto"`` or ``"auto/N"`` as ``--shard``; ``resume`` goes on
    from the output folder's journal; ``until_pass`` stops after that global pass.

    ``progress``: ``None`` draws the terminal bar when standard error is a terminal, or a
    tqdm bar in a notebook (when tqdm is installed); ``True`` always draws one, ``False``
    none; ``"terminal"`` or ``"tqdm"`` choose; a callable is given a dict per event
    (``event``: ``start``, ``advance``, ``stages``, ``pass``, ``merging``, ``finish``).

    Documents and files that fail do not raise: they are counted in the report
    (``report.has_failures()``) and listed in the output's ``errors.jsonl``. What stops the
    run raises: :class:`ConfigError` (with ``file``, ``line``, ``key`` and ``problems``),
    :class:`PluginError`, :class:`ResumeError`, :class:`OutputLocked`, :class:`PassError`,
    :class:`RunStopped` (with the ``report`` of what was done), :class:`OutputError`.
    """
    options = {
        "output": None if output is None else os.fspath(output),
        "threads": threads,
        "shard": shard,
        "resume": resume,
        "until_pass": until_pass,
        "progress": _progress(progress),
    }
    return _native.run(os.fspath(project), options)


def check(project: Union[str, os.PathLike]) -> list:
    """Check a project file without reading its input, as ``moulin check`` does.

    Returns the list of problems, each a dict ``kind`` (``config`` or ``plugin``), ``file``,
    ``line``, ``key`` and ``message``; empty when the project can run.
    """
    return _native.check(os.fspath(project))


Stage = Union[Mapping[str, Any], Callable[[dict], Any]]


class Pipeline:
    """Stages over documents you have, on the engine's worker threads.

    ``stages`` is a list of:

    - ``{"id": ..., "plugin": ..., "config": {...}}``: a plugin stage (``id`` defaults to the
      plugin's name, ``config`` to ``{}``);
    - a callable, or ``{"id": ..., "python": callable, "batch": False}``: a Python stage.
      It is called with a document dict and returns the dict (changed or not), ``None`` to
      drop the document, or a str to drop it with that reason. With ``batch=True`` it is
      called with a list of dicts and returns a list of as many results. An exception fails
      that document only, with its traceback (a batch call that raises is made again for
      each of its documents alone, to find which).

    ``plugin_path``: folders to look for plugin libraries in first. ``threads``: worker
    threads (default 1). ``output_dir``: where exporters write (default: the current
    folder). A stage that needs a pass over the input before the main pass (``dedup``,
    ``boilerplate`` with ``repeated``) cannot run over a stream: run a project for it.

    Raises :class:`ConfigError` for an unknown plugin or a bad config (``key`` names it),
    :class:`PluginError` when a stage cannot be made.
    """

    def __init__(
        self,
        stages: Sequence[Stage],
        plugin_path: Optional[Sequence[Union[str, os.PathLike]]] = None,
        threads: Optional[int] = None,
        output_dir: Optional[Union[str, os.PathLike]] = None,
        batch_documents: Optional[int] = None,
        max_stage_restarts: Optional[int] = None,
    ) -> None:
        self._native = _native.Pipeline(
            list(stages),
            plugin_path=None if plugin_path is None else [os.fspath(p) for p in plugin_path],
            threads=threads,
            output_dir=None if output_dir is None else os.fspath(output_dir),
            batch_documents=batch_documents,
            max_stage_restarts=max_stage_restarts,
        )

    def process(self, docs: Iterable[Union[Mapping[str, Any], str]], outcomes: bool = False) -> Outputs:
        """Run the stages over ``docs``; yields the processed documents lazily, in input order.

        By default only the documents every stage kept are yielded; the returned iterator
        counts the others (``kept``, ``dropped``, ``failed``) and lists the failed ones in
        ``failures`` (dicts ``id``, ``stage``, ``error``). With ``outcomes=True`` every
        document is yielded with ``outcome`` (``kept``, ``dropped`` or ``failed``),
        ``stage`` and ``reason``. An item that is not a document (no ``text``, a wrong
        type) fails in its place. ``finish()`` reads what is left and returns every stage's
        counts.
        """
        return self._native.process(docs, outcomes=outcomes)

    def process_arrow(self, data: Any, outcomes: bool = False, lazy: bool = False):
        """Run the stages over Arrow data; returns a ``pyarrow.Table``.

        ``data`` is a pyarrow Table, RecordBatch, RecordBatchReader, an iterable of record
        batches (a list, ``ParquetFile.iter_batches()``), or any object with
        ``__arrow_c_stream__``; it needs a ``text`` column and
        may have the other columns the Parquet exporter writes (``id``, ``lang``,
        ``lang_score``, ``meta`` as JSON, ``spans``). The result has those columns, for the
        documents kept; with ``outcomes=True`` every document, with ``outcome``, ``stage``
        and ``reason`` columns. No Python object is made per document.

        With ``lazy=True`` the result is a ``pyarrow.RecordBatchReader`` whose batches are
        made as they are read (at most 65,536 rows or 64 MiB of text each), so that neither
        the input nor the result need be held in memory at once.
        """
        import pyarrow as pa

        if isinstance(data, pa.RecordBatch):
            data = pa.Table.from_batches([data])
        elif not hasattr(data, "__arrow_c_stream__"):
            # An iterable of record batches (a list, ParquetFile.iter_batches()): read as a
            # stream, the first batch giving the schema.
            batches_in = iter(data)
            first = next(batches_in, None)
            if first is None:
                raise ValueError("process_arrow: no record batch in the input (its schema is not known)")
            data = pa.RecordBatchReader.from_batches(first.schema, itertools.chain([first], batches_in))
        stream = self._native._process_arrow(data, outcomes=outcomes)
        reader = pa.RecordBatchReader.from_stream(stream)
        if not lazy:
            try:
                return reader.read_all()
            except Exception:
                stream._raise_error()
                raise

        def batches():
            try:
                yield from reader
            except Exception:
                stream._raise_error()
                raise

        return pa.RecordBatchReader.from_batches(reader.schema, batches())
