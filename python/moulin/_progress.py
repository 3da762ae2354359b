"""A run's progress as a tqdm bar (in a notebook, tqdm's widget)."""

from __future__ import annotations

from typing import Optional


class TqdmProgress:
    """A progress callback for :func:`moulin.run` drawing a tqdm bar of the bytes read."""

    def __init__(self, tqdm) -> None:
        self._tqdm = tqdm
        self._bar = None
        self._prefix = ""

    @classmethod
    def create(cls) -> Optional["TqdmProgress"]:
        """A bar, or None when tqdm is not installed."""
        try:
            from tqdm.auto import tqdm
        except ImportError:
            return None
        return cls(tqdm)

    def __call__(self, event: dict) -> None:
        kind = event["event"]
        if kind == "pass":
            self._prefix = f"pass {event['pass'] + 1} of {event['passes']} of {event['stage']}"
        elif kind == "merging":
            self._prefix = f"merging pass {event['pass'] + 1} of {event['stage']}"
        elif kind == "start":
            self._close()
            self._bar = self._tqdm(
                total=event["total_bytes"], unit="B", unit_scale=True, desc=self._prefix or "moulin"
            )
        elif kind == "advance" and self._bar is not None:
            self._bar.update(event["bytes_read"] - self._bar.n)
            self._bar.set_postfix_str(f"{event['documents']} documents", refresh=False)
        elif kind == "stages" and self._bar is not None:
            counts = " | ".join(f"{s['id']} {s['documents_out']}" for s in event["stages"])
            self._bar.set_postfix_str(counts, refresh=False)
        elif kind == "finish":
            self._close()
            self._prefix = ""

    def _close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
