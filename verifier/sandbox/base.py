"""The one interface every sandbox backend implements, and the data it moves.

`Sandbox.run(job, budget_s=..., on_record=...)` runs one program on the inputs
of its tests and returns a `RunReport` of raw outcomes: values returned,
output printed, errors raised. Backends never see an expected value and never
decide a verdict; `judge` does that on the trusted side.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from ..errors import SandboxError, clip
from ..settings import Limits

__all__ = [
    "Job",
    "ReportBuilder",
    "RunReport",
    "Sandbox",
    "TestInput",
    "TestRecord",
]

TestKind = Literal["call", "stdio", "assert"]
_STATUSES = frozenset({"ok", "error", "fail", "memory", "output_limit", "bad_value", "timeout"})
_NATIVE_SLACK_S = 2.0
"""How much longer than the driver's own deadlines the zygote waits for a native job's frame."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TestInput:
    """What the sandbox may know of one test: its inputs, never its expectation."""

    __test__ = False  # not a pytest test class

    index: int
    kind: TestKind
    args: Any = None
    kwargs: Any = None
    stdin: str = ""
    snippet: str = ""

    def to_wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {"i": self.index, "kind": self.kind}
        if self.kind == "call":
            out["args"] = self.args if self.args is not None else []
            out["kwargs"] = self.kwargs if self.kwargs is not None else {}
        elif self.kind == "stdio":
            out["stdin"] = self.stdin
        else:
            out["assert"] = self.snippet
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class Job:
    """One program and the inputs of the tests it must run, in order."""

    code: str
    tests: tuple[TestInput, ...]
    limits: Limits
    entry_point: str | None = None
    setup: str | None = None
    language: str = "python"
    runtime: str = "python"
    """`python`, or `restricted` for code already transformed by `sandbox.policy`."""
    imports: frozenset[str] = frozenset()
    """Modules a restricted program may import."""

    @property
    def needs_module(self) -> bool:
        """Call and assert tests need the program loaded once as a module."""
        return any(test.kind != "stdio" for test in self.tests)

    @property
    def native(self) -> bool:
        """A compiled or interpreted program run by the driver, one process per test."""
        return self.language != "python"

    def to_wire(self, *, budget_s: float) -> dict[str, Any]:
        limits = self.limits
        timeout_s = limits.timeout_s
        extra: dict[str, float] = {}
        if self.native:
            # The driver enforces each test's limit (and the compile's) itself and
            # reports it; the zygote's per-frame deadline is only a backstop behind it.
            extra = {"run_timeout_s": timeout_s, "compile_timeout_s": limits.compile_timeout_s}
            timeout_s = max(timeout_s, limits.compile_timeout_s) + _NATIVE_SLACK_S
        return {
            "language": self.language,
            "code": self.code,
            "entry_point": self.entry_point,
            "setup": self.setup,
            "module": self.needs_module,
            "runtime": self.runtime,
            "imports": sorted(self.imports),
            "tests": [test.to_wire() for test in self.tests],
            "budget_s": budget_s,
            "limits": {
                "timeout_s": timeout_s,
                "memory_mb": limits.memory_mb,
                "output_bytes": limits.output_bytes,
                "processes": limits.processes,
                "file_size_mb": limits.file_size_mb,
                **extra,
            },
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class TestRecord:
    """What one test did inside the sandbox, as the child reported it."""

    __test__ = False  # not a pytest test class

    index: int
    status: str
    value: Any = None
    stdout: str | None = None
    error: str | None = None
    ms: float = 0.0
    refused: int = 0
    """Operations the restricted runtime refused during this test."""


@dataclass(slots=True, kw_only=True)
class RunReport:
    """Raw outcome of running a job; the trusted side turns it into verdicts.

    `loaded` is None when the program never said whether it loaded (it died
    or ran out of time first). `killed_for` names why the backend killed the
    process, if it did: "timeout", "stopped", "protocol", ...
    """

    loaded: bool | None = None
    load_error: str | None = None
    records: dict[int, TestRecord] = field(default_factory=dict)
    ended: bool = False
    killed_for: str | None = None
    exit_code: int | None = None
    protocol_error: str | None = None
    cpu_ms: float = 0.0
    wall_ms: float = 0.0
    max_rss_kb: int = 0
    restarts: int = 0
    refused: int = 0
    """Operations the restricted runtime refused, loading included."""
    fault: str | None = None
    """Set when a native job's driver reported a failure of its own (a tool missing, an
    exec refused): not a verdict on the program; `run_resuming` raises SandboxError."""


class Sandbox(Protocol):
    """A place to run untrusted programs; see `ProcessSandbox` and `DockerSandbox`."""

    @property
    def workers(self) -> int:
        """How many jobs may run at once."""

    @property
    def languages(self) -> frozenset[str]:
        """Languages it can run: python always; cpp and javascript where their tools are."""

    def run(self, job: Job, *, budget_s: float,
            on_record: Callable[[TestRecord], bool] | None = None) -> RunReport:
        """Run `job` within `budget_s` seconds.

        `on_record` sees each test record as it arrives; returning False asks
        the backend to stop the job early. Raises SandboxError when the
        sandbox itself fails.
        """

    def sweep(self) -> int:
        """After a batch: kill anything its jobs left behind; return how many were found."""

    def close(self) -> None:
        """Stop every worker; the sandbox cannot be used afterwards."""


def _count(value: Any) -> int:
    return value if type(value) is int and 0 <= value < 1 << 31 else 0


def _number(value: Any) -> float:
    if type(value) in (int, float) and math.isfinite(value):
        return float(value)
    return 0.0


class ReportBuilder:
    """Check the child's frames, which are hostile, and collect them into a report.

    Frames must come in job order: one load frame, then one test frame per
    test in the order sent, then an end frame. Anything else (a duplicate, a
    test out of order, an unknown status) is a protocol violation: the frame
    and all after it are ignored, so the tests they would have answered fail.
    With `native` (the frames come from the native driver, which the program
    never reaches), a fault frame ends the report with `fault` set, and an end
    frame may come early.

    >>> builder = ReportBuilder(expected=[0, 1])
    >>> builder.add({"k": "load", "ok": True})
    >>> builder.add({"k": "test", "i": 1, "status": "ok"}).__class__.__name__
    'NoneType'
    >>> builder.report.protocol_error
    'test 1 reported before test 0'
    """

    def __init__(self, *, expected: list[int], native: bool = False) -> None:
        self.expected = expected
        self.native = native
        self.report = RunReport()
        self._next = 0

    @classmethod
    def for_job(cls, job: Job) -> ReportBuilder:
        """A builder expecting `job`'s tests, trusting fault frames only from a native driver."""
        return cls(expected=[test.index for test in job.tests], native=job.native)

    def add(self, frame: Any) -> TestRecord | None:
        """Take one frame; return the test record it carried, if valid."""
        report = self.report
        if report.protocol_error is not None or report.ended or report.fault is not None:
            return None
        try:
            return self._add(frame)
        except SandboxError as exc:
            self.report.protocol_error = str(exc)
            return None

    def _add(self, frame: Any) -> TestRecord | None:
        if not isinstance(frame, dict):
            raise SandboxError("frame is not an object")
        kind = frame.get("k")
        report = self.report
        if kind == "fault" and self.native:
            report.fault = clip(frame.get("error", "the driver failed"))
            return None
        if kind == "load":
            if report.loaded is not None:
                raise SandboxError("second load frame")
            report.loaded = frame.get("ok") is True
            report.refused += _count(frame.get("refused"))
            if not report.loaded:
                report.load_error = clip(frame.get("error", "did not load"))
            return None
        if report.loaded is not True:
            raise SandboxError(f"{clip(kind, 20)} frame before a successful load")
        if kind == "end":
            # A native driver ends early on purpose (it gave up after repeated timeouts);
            # the tests it did not report fail as not run.
            if self._next != len(self.expected) and not self.native:
                raise SandboxError("end frame before every test reported")
            report.ended = True
            return None
        if kind != "test":
            raise SandboxError(f"unknown frame kind {clip(kind, 20)}")
        index = frame.get("i")
        if self._next >= len(self.expected):
            raise SandboxError("more test frames than tests")
        want = self.expected[self._next]
        if type(index) is not int or index != want:
            raise SandboxError(f"test {clip(index, 20)} reported before test {want}")
        status = frame.get("status")
        if status not in _STATUSES:
            raise SandboxError(f"unknown status {clip(status, 20)}")
        stdout = frame.get("stdout")
        error = frame.get("error")
        record = TestRecord(
            index=index,
            status=status,
            value=frame.get("value"),
            stdout=stdout if isinstance(stdout, str) else None,
            error=clip(error) if isinstance(error, str) else None,
            ms=_number(frame.get("ms")),
            refused=_count(frame.get("refused")),
        )
        report.refused += record.refused
        report.records[index] = record
        self._next += 1
        return record
