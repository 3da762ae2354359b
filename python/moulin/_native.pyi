"""Type stubs of moulin's native module (python/src); the API is documented in moulin/__init__.py."""

from typing import Any, Callable, Iterable, Iterator, Mapping, Optional, Sequence, Union, final

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
    "Stream",
    "check",
    "run",
    "search_also",
]

ABI_VERSION: str

class MoulinError(Exception): ...

class ConfigError(MoulinError):
    problems: list[dict[str, Any]]
    file: Optional[str]
    line: Optional[int]
    key: Optional[str]

class PluginError(MoulinError):
    problems: list[dict[str, Any]]

class RunStopped(MoulinError):
    report: "Report"

class ResumeError(MoulinError): ...
class OutputLocked(MoulinError): ...
class PassError(MoulinError): ...
class OutputError(MoulinError): ...

@final
class Report:
    @property
    def totals(self) -> dict[str, Any]: ...
    @property
    def stages(self) -> list[dict[str, Any]]: ...
    @property
    def files(self) -> list[dict[str, Any]]: ...
    @property
    def output_dir(self) -> str: ...
    @property
    def seconds(self) -> float: ...
    @property
    def threads(self) -> int: ...
    @property
    def paused(self) -> Optional[str]: ...
    def has_failures(self) -> bool: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
@final
class Outputs(Iterator[dict[str, Any]]):
    kept: int
    dropped: int
    failed: int
    @property
    def failures(self) -> list[dict[str, Any]]: ...
    def __iter__(self) -> "Outputs": ...
    def __next__(self) -> dict[str, Any]: ...
    def finish(self) -> list[dict[str, Any]]: ...

@final
class Stream:
    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any: ...
    def _raise_error(self) -> None: ...

@final
class Pipeline:
    def __new__(
        cls,
        stages: Sequence[Union[Mapping[str, Any], Callable[..., Any]]],
        plugin_path: Optional[Sequence[str]] = None,
        threads: Optional[int] = None,
        output_dir: Optional[str] = None,
        batch_documents: Optional[int] = None,
        max_stage_restarts: Optional[int] = None,
    ) -> "Pipeline": ...
    def process(self, docs: Iterable[Union[Mapping[str, Any], str]], outcomes: bool = False) -> Outputs: ...
    def _process_arrow(self, stream: Any, outcomes: bool = False) -> Stream: ...

def run(project: str, options: Mapping[str, Any]) -> Report: ...
def check(project: str) -> list[dict[str, Any]]: ...
def search_also(folder: str) -> None: ...
