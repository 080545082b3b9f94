"""Run every test of a job, restarting past a test that killed the process.

A program that loops forever on one test, or calls os._exit in it, still gets
its other tests judged: the test that was running is marked (timeout,
crashed, protocol) and a fresh process takes the tests after it. Otherwise
the pass ratio would depend on the order of the tests in the suite. Restarts
stop at the sample's time budget and after `max_timeouts` timeouts, since
each costs a whole per-test timeout.
"""

from __future__ import annotations

import dataclasses
import signal
import time
from collections.abc import Callable

from ..errors import SandboxError
from .base import Job, RunReport, Sandbox, TestRecord

__all__ = ["run_resuming"]

# Statuses the trusted side gives a test the child never reported.
TIMEOUT, CRASHED, PROTOCOL, MEMORY = "timeout", "crashed", "protocol", "memory"


def _exit_detail(report: RunReport) -> str:
    code = report.exit_code
    if code is None:
        return "the process ended without reporting"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"the process was killed by {name}"
    return f"the process exited with status {code} before reporting"


def _unreported(report: RunReport) -> tuple[str, str]:
    """Status and detail for the test that was running when a segment ended early."""
    if report.killed_for == "timeout":
        return TIMEOUT, "ran past its time limit"
    if report.killed_for == "memory":
        return MEMORY, "killed by the memory limit"
    if report.protocol_error is not None or report.killed_for == "protocol":
        return PROTOCOL, f"broke the result protocol: {report.protocol_error or 'bad frame'}"
    if report.exit_code is not None and report.exit_code == -signal.SIGXCPU:
        return TIMEOUT, "ran past its CPU time limit"
    return CRASHED, _exit_detail(report)


def _merge_costs(into: RunReport, part: RunReport) -> None:
    into.cpu_ms += part.cpu_ms
    into.wall_ms += part.wall_ms
    into.max_rss_kb = max(into.max_rss_kb, part.max_rss_kb)
    into.refused += part.refused
    into.exit_code = part.exit_code
    into.killed_for = part.killed_for


def run_resuming(sandbox: Sandbox, job: Job, *, budget_s: float, max_timeouts: int = 2,
                 on_record: Callable[[TestRecord], bool] | None = None) -> RunReport:
    """Run all of `job`'s tests within `budget_s`; tests never run have no record."""
    deadline = time.monotonic() + budget_s
    merged = RunReport()
    remaining = list(job.tests)
    timeouts = 0
    while remaining:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        part = sandbox.run(dataclasses.replace(job, tests=tuple(remaining)), budget_s=left,
                           on_record=on_record)
        if part.fault is not None:  # the driver's own failure: never a verdict
            raise SandboxError(f"sandbox fault: {part.fault}", transient=True)
        _merge_costs(merged, part)
        if part.loaded is not True:
            if merged.loaded is None:  # the first load: the program does not load
                merged.loaded = False
                merged.load_error = part.load_error or (
                    "ran past its time limit while loading" if part.killed_for == "timeout"
                    else _exit_detail(part))
            else:  # loaded once, not again: the rest cannot be judged fairly
                for test in remaining:
                    merged.records[test.index] = TestRecord(
                        index=test.index, status=CRASHED, error="did not load again on restart")
            break
        merged.loaded = True
        merged.records.update(part.records)
        if part.ended or part.killed_for == "stopped":
            merged.protocol_error = merged.protocol_error or part.protocol_error
            break
        pending = [test for test in remaining if test.index not in part.records]
        if not pending:
            break
        status, detail = _unreported(part)
        merged.protocol_error = merged.protocol_error or part.protocol_error
        merged.records[pending[0].index] = TestRecord(index=pending[0].index, status=status,
                                                      error=detail)
        if on_record is not None and not on_record(merged.records[pending[0].index]):
            break
        timeouts += status == TIMEOUT
        if timeouts >= max_timeouts:
            break
        remaining = pending[1:]
        if remaining:
            merged.restarts += 1
    return merged
