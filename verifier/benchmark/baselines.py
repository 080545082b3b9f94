"""Two baselines behind the Sandbox interface, for the benchmark only. Not sandboxes.

* `InProcess`: the tests run in the benchmark's own process, no isolation
  at all: the floor of what scoring can cost.
* `FreshInterpreter`: a new Python process per sample that runs the same
  tests: the naive harness many RL codebases use.

Both use `sandbox/runner/inprocess.py`, so they do the same work as the
sandbox's child, and both go through the same Scorer (extraction, suites,
restart after a timeout, judging, reward) as the real sandbox.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import SandboxError, clip
from ..sandbox.base import Job, RunReport, TestRecord
from ..sandbox.runner.inprocess import run_job

__all__ = ["FreshInterpreter", "InProcess"]

_RUNNER_PARENT = str(Path(__file__).resolve().parent.parent / "sandbox")
_BOOT = ("import sys; sys.path.insert(0, {path!r}); "
         "from runner.inprocess import main; main()")


def _report(frames: list[dict[str, Any]],
            on_record: Callable[[TestRecord], bool] | None) -> RunReport:
    """A report from trusted frames (these baselines run only the benchmark's own code)."""
    report = RunReport()
    for frame in frames:
        kind = frame.get("k")
        if kind == "load":
            report.loaded = frame.get("ok") is True
            report.load_error = frame.get("error")
        elif kind == "test":
            record = TestRecord(index=frame["i"], status=frame["status"],
                                value=frame.get("value"), stdout=frame.get("stdout"),
                                error=frame.get("error"), ms=float(frame.get("ms", 0.0)))
            report.records[record.index] = record
            if on_record is not None and not on_record(record):
                report.killed_for = "stopped"
                return report
        elif kind == "timeout":
            report.killed_for = "timeout"
        elif kind == "end":
            report.ended = True
    return report


class InProcess:
    """Run each job's tests right here, one at a time; score with `parallel=False`,
    since the per-test timeout is a signal, which only the main thread receives."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    @property
    def workers(self) -> int:
        return 1

    languages = frozenset({"python"})
    """The baselines run Python only."""

    def run(self, job: Job, *, budget_s: float,
            on_record: Callable[[TestRecord], bool] | None = None) -> RunReport:
        with self._lock:
            return _report(run_job(job.to_wire(budget_s=budget_s)), on_record)

    def sweep(self) -> int:
        return 0

    def close(self) -> None:
        pass


class FreshInterpreter:
    """Start a new Python process for every job, as a naive harness does."""

    def __init__(self, *, workers: int = 1, python: str = sys.executable) -> None:
        self._workers = workers
        self.python = python

    @property
    def workers(self) -> int:
        return self._workers

    languages = frozenset({"python"})

    def run(self, job: Job, *, budget_s: float,
            on_record: Callable[[TestRecord], bool] | None = None) -> RunReport:
        payload = json.dumps(job.to_wire(budget_s=budget_s)).encode("utf-8")
        try:
            done = subprocess.run([self.python, "-S", "-P", "-B", "-c",
                                   _BOOT.format(path=_RUNNER_PARENT)],
                                  input=payload, capture_output=True, timeout=budget_s + 5,
                                  env={}, check=False)
        except subprocess.TimeoutExpired as exc:
            raise SandboxError(f"baseline interpreter hung: {exc}") from exc
        if done.returncode != 0:
            raise SandboxError(f"baseline interpreter failed: {clip(done.stderr.decode())}")
        return _report(json.loads(done.stdout), on_record)

    def sweep(self) -> int:
        return 0

    def close(self) -> None:
        pass
