"""Check suites before training on them: run each reference solution several times.

A suite whose own reference fails would punish correct programs; a test
whose verdict changes between runs makes the reward noise; a test that needs
most of its time limit will time out under load and fail right answers; a
suite with two tests cannot tell a near miss from a solution. `validate`
finds all four, through the real sandbox:

    fail      a test the reference fails in every run (or it does not load)
    flaky     a test whose verdict differs between runs
    slow      a test whose reference time, times `time_factor`, exceeds the
              limit; the suggested limit is EvalPlus's rule, the larger of
              `min_timeout_s` and `time_factor` x the slowest test
    few tests fewer than `min_tests` tests

`fail` and `flaky` fail the suite; `slow` and `few tests` are warnings.
`analyze` is pure (it reads SampleResults); `validate` runs the references.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from .errors import InvalidRequest, clip
from .judge import Verdict
from .reward import smooth
from .service import SampleResult, Scorer
from .settings import Limits
from .suites import TestSuite

__all__ = ["SuiteReport", "ValidationOptions", "ValidationReport", "analyze", "validate"]

FAILING_STATUSES = frozenset({"fail", "flaky", "error"})


@dataclass(frozen=True, slots=True, kw_only=True)
class ValidationOptions:
    """How hard `validate` looks.

    >>> ValidationOptions(runs=5).time_factor
    4.0
    """

    runs: int = 3
    time_factor: float = 4.0
    """EvalPlus's DEFAULT_GT_TIME_LIMIT_FACTOR: a limit should allow this many
    times the reference's time."""
    min_timeout_s: float = 1.0
    """EvalPlus's DEFAULT_MIN_TIME_LIMIT: no suggested limit goes below it."""
    min_tests: int = 5

    def __post_init__(self) -> None:
        if self.runs < 1 or self.min_tests < 0:
            raise InvalidRequest("runs must be at least 1 and min_tests not negative")
        if not self.time_factor >= 1 or not self.min_timeout_s > 0:
            raise InvalidRequest("time_factor must be at least 1 and min_timeout_s positive")


@dataclass(frozen=True, slots=True)
class TestFinding:
    """One test worth a look: its verdict in each run and its slowest time."""

    __test__ = False  # not a pytest test class

    test_id: str
    verdicts: tuple[str, ...]
    max_ms: float
    detail: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SuiteReport:
    """What validation found in one suite."""

    task_id: str
    source: str
    status: str
    """pass, fail, flaky, error (could not be judged) or no_reference."""
    tests: int
    runs: int = 0
    failing: tuple[TestFinding, ...] = ()
    flaky: tuple[TestFinding, ...] = ()
    slow: tuple[TestFinding, ...] = ()
    timeout_s: float = 0.0
    max_test_ms: float = 0.0
    suggested_timeout_s: float | None = None
    warnings: tuple[str, ...] = ()
    error: str | None = None
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def suggested_timeout(max_ms: float, options: ValidationOptions) -> float:
    """EvalPlus's calibrated limit, rounded up to a tenth of a second."""
    seconds = max(options.min_timeout_s, options.time_factor * max_ms / 1000.0)
    return math.ceil(seconds * 10 - 1e-9) / 10


def _findings(results: Sequence[SampleResult]) -> list[TestFinding]:
    """One finding per test, across runs; empty if a run has no verdicts."""
    per_run = [r.verdicts for r in results]
    if not per_run or any(len(v) != len(per_run[0]) for v in per_run) or not per_run[0]:
        return []
    out = []
    for n, first in enumerate(per_run[0]):
        verdicts = [run[n] for run in per_run]
        detail = next((v.detail for v in verdicts if v.detail), None)
        out.append(TestFinding(first.test_id, tuple(v.verdict.value for v in verdicts),
                               max(v.ms for v in verdicts), clip(detail) if detail else None))
    return out


def analyze(suite: TestSuite, results: Sequence[SampleResult], limits: Limits,
            options: ValidationOptions, *, seconds: float = 0.0) -> SuiteReport:
    """The report on one suite from its reference's runs (pure)."""
    head = SuiteReport(task_id=suite.task_id, source=suite.source, status="pass",
                       tests=len(suite.tests), runs=len(results), timeout_s=limits.timeout_s,
                       seconds=round(seconds, 3))
    warnings = []
    if len(suite.tests) < options.min_tests:
        warnings.append(f"only {len(suite.tests)} test(s); at least {options.min_tests} "
                        "make a useful reward")
    unscored = next((r for r in results if r.status != "scored"), None)
    if unscored is not None:
        return replace(head, status="error", error=unscored.error or unscored.status,
                       warnings=tuple(warnings))
    findings = _findings(results)
    passed = Verdict.PASS.value
    failing = tuple(f for f in findings if passed not in f.verdicts)
    flaky = tuple(f for f in findings if len(set(f.verdicts)) > 1)
    timed = [f.max_ms for f in findings if set(f.verdicts) == {passed}]
    max_ms = max(timed, default=0.0)
    slow = tuple(f for f in findings
                 if f.max_ms * options.time_factor / 1000.0 > limits.timeout_s)
    if slow:
        warnings.append(f"{len(slow)} test(s) close to the {limits.timeout_s:g} s limit")
    total_ms = sum(f.max_ms for f in findings)
    if total_ms * options.time_factor / 1000.0 > limits.sample_timeout_s:
        warnings.append(f"all tests together take {total_ms / 1000:.2f} s, close to the "
                        f"{limits.sample_timeout_s:g} s sample limit")
    error = next((r.error for r in results if r.error), None)
    status = "fail" if failing or not findings else "flaky" if flaky else "pass"
    return replace(head, status=status, failing=failing, flaky=flaky, slow=slow,
                   max_test_ms=round(max_ms, 3),
                   suggested_timeout_s=suggested_timeout(max_ms, options),
                   warnings=tuple(warnings), error=clip(error) if error else None)


def _run_one(scorer: Scorer, suite: TestSuite, options: ValidationOptions) -> SuiteReport:
    if suite.reference_solution is None:
        return SuiteReport(task_id=suite.task_id, source=suite.source, status="no_reference",
                           tests=len(suite.tests))
    limits = suite.resolve_limits(scorer.settings.limits, scorer.settings.limits_cap)
    started = time.monotonic()
    # The smooth shape runs every test even when the suite's own shape would
    # stop at the first failure: validation wants each test's verdict.
    results = [scorer.check(suite, suite.reference_solution, shape=smooth())
               for _ in range(options.runs)]
    return analyze(suite, results, limits, options, seconds=time.monotonic() - started)


@dataclass(slots=True)
class ValidationReport:
    """Every suite's report, in task_id order."""

    options: ValidationOptions
    suites: list[SuiteReport] = field(default_factory=list)

    @property
    def failed(self) -> list[SuiteReport]:
        return [s for s in self.suites if s.status in FAILING_STATUSES]

    def counts(self) -> dict[str, int]:
        statuses = [s.status for s in self.suites]
        out = {name: statuses.count(name)
               for name in ("pass", "fail", "flaky", "error", "no_reference")}
        out["with_warnings"] = sum(1 for s in self.suites if s.warnings)
        return out

    def to_json(self) -> dict[str, Any]:
        return {"options": asdict(self.options), "summary": self.counts(),
                "suites": [s.to_json() for s in self.suites]}


def validate(scorer: Scorer, suites: Iterable[TestSuite],
             options: ValidationOptions | None = None, *,
             on_suite: Callable[[SuiteReport], None] | None = None) -> ValidationReport:
    """Run every suite's reference `options.runs` times, suites in parallel.

    The runs of one suite are sequential, so a flaky verdict is the suite's
    own and not two runs racing each other; `on_suite` sees each report as
    it is ready, in task_id order.
    """
    options = options or ValidationOptions()
    ordered = sorted(suites, key=lambda s: s.task_id)
    report = ValidationReport(options)
    with ThreadPoolExecutor(max_workers=scorer.sandbox.workers,
                            thread_name_prefix="validate") as pool:
        futures = [pool.submit(_run_one, scorer, suite, options) for suite in ordered]
        for future in futures:
            suite_report = future.result()
            report.suites.append(suite_report)
            if on_suite is not None:
                on_suite(suite_report)
    return report


_MARKS = {"pass": "ok", "fail": "FAIL", "flaky": "FLAKY", "error": "ERROR",
          "no_reference": "skip"}


def _finding_line(kind: str, finding: TestFinding) -> str:
    line = f"      {kind} {finding.test_id}: {', '.join(finding.verdicts)}, " \
           f"slowest {finding.max_ms:.1f} ms"
    return line + (f" ({finding.detail})" if finding.detail else "")


def table_lines(suite: SuiteReport) -> list[str]:
    """A suite's line for the readable table, plus one line per problem."""
    mark = _MARKS.get(suite.status, suite.status)
    if suite.status == "pass" and suite.warnings:
        mark = "warn"
    if suite.status == "no_reference":
        return [f"{mark:5s} {suite.task_id:40s} no reference_solution"]
    line = f"{mark:5s} {suite.task_id:40s} {suite.tests:4d} tests  x{suite.runs}"
    if suite.status != "error":
        line += f"  slowest {suite.max_test_ms:8.1f} ms  limit {suite.timeout_s:g} s"
        # Only a limit that is too tight is news; the JSON report has every suggestion.
        if suite.suggested_timeout_s is not None and suite.suggested_timeout_s > suite.timeout_s:
            line += f" (suggest {suite.suggested_timeout_s:g} s)"
    lines = [line]
    if suite.error:
        lines.append(f"      error: {suite.error}")
    lines += [_finding_line("failing", f) for f in suite.failing[:3]]
    lines += [_finding_line("flaky", f) for f in suite.flaky[:3]]
    lines += [_finding_line("slow", f) for f in suite.slow[:3]]
    lines += [f"      warning: {w}" for w in suite.warnings]
    return lines


def summary_line(report: ValidationReport) -> str:
    """The last line of the table: how many suites came out how."""
    c = report.counts()
    return (f"{len(report.suites)} suites: {c['pass']} pass, {c['fail']} fail, "
            f"{c['flaky']} flaky, {c['error']} error, {c['no_reference']} without a reference "
            f"solution; {c['with_warnings']} with warnings")
