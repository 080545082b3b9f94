"""score_batch(): extract -> suite -> sandbox -> judge -> reward, for a whole batch.

This is the one place that wires the parts. Every sample ends in exactly one
of four states, kept apart because a trainer treats them differently:

    scored    a verdict on the program (its reward may be anything in [-1, 1])
    invalid   the sample itself is unusable (no task, no response): floor reward
              and an `error` metric
    unscored  our infrastructure failed after its retries: the Lambda contract
              needs a number, so `unscored_reward` and a `grader_error` metric;
              the library API gives reward None so a trainer can mask it
    deadline  the batch ran out of time before this sample finished: floor
              reward and a `deadline` metric

One sample never fails the batch: anything unexpected while scoring it makes
that sample unscored and is logged.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tenacity import (
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_when_event_set,
    wait_exponential,
)

from . import contract
from .cache import RunCache, run_key
from .errors import InvalidRequest, SandboxError, clip
from .extract import extract_code
from .judge import TestVerdict, Verdict, judge_record, judge_report
from .reward import Outcome, Shape, clamp, shape_from_spec, stops_on_failure
from .sandbox.base import Job, RunReport, Sandbox, TestInput, TestRecord
from .sandbox.policy import allowed_imports, restrict
from .sandbox.process import ProcessSandbox, ZygoteFailed
from .sandbox.resume import run_resuming
from .settings import Settings
from .suites import CallTest, StdioTest, SuiteIndex, TestSuite, load_suite, load_suites

__all__ = ["SampleResult", "Scorer", "score_batch"]

log = logging.getLogger("verifier")

_WRAP_UP_S = 0.25
"""Jobs end this long before the batch deadline, so every answer is in by it."""
_ATTEMPTS = 3
_EVENT_OVERRIDES = ("reward", "runtime")


@dataclass(frozen=True, slots=True)
class SampleResult:
    """The full outcome of one sample; `to_response` gives the Nova entry."""

    id: Any
    status: str
    reward: float | None
    metrics: dict[str, float] = field(default_factory=dict)
    verdicts: tuple[TestVerdict, ...] = ()
    error: str | None = None

    def to_response(self, settings: Settings) -> dict[str, Any]:
        reward = self.reward if self.reward is not None else settings.unscored_reward
        return contract.result(self.id, reward, self.metrics)

    def detail(self) -> dict[str, Any]:
        """Why the sample scored as it did, for people (CLI output), not for trainers."""
        out: dict[str, Any] = {"status": self.status,
                               "verdicts": [v.verdict.value for v in self.verdicts]}
        if self.error:
            out["error"] = self.error
        failures = {v.test_id: v.detail for v in self.verdicts if v.detail}
        if failures:
            out["errors"] = dict(list(failures.items())[:5])
        return out


def _test_input(index: int, test: Any) -> TestInput:
    if isinstance(test, CallTest):
        return TestInput(index=index, kind="call", args=test.args, kwargs=test.kwargs)
    if isinstance(test, StdioTest):
        return TestInput(index=index, kind="stdio", stdin=test.stdin)
    return TestInput(index=index, kind="assert", snippet=test.snippet)


def _transient(exc: BaseException) -> bool:
    return isinstance(exc, SandboxError) and exc.transient


class _Guilt:
    """Counts zygote failures while this job ran: twice means the job did it."""

    def __init__(self) -> None:
        self.suspect = 0
        self.event = threading.Event()

    def note(self, exc: BaseException) -> None:
        if isinstance(exc, ZygoteFailed) and exc.suspect:
            self.suspect += 1
            if self.suspect >= 2:
                self.event.set()

    @property
    def guilty(self) -> bool:
        return self.event.is_set()


class Scorer:
    """Scores batches against a set of suites; holds the warm sandbox between batches.

    >>> with Scorer(load_suites(["testcases"])) as scorer:  # doctest: +SKIP
    ...     response = scorer.score(event)
    """

    def __init__(self, suites: SuiteIndex, *, sandbox: Sandbox | None = None,
                 settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self.suites = suites
        self._owns_sandbox = sandbox is None
        self.sandbox: Sandbox = sandbox or ProcessSandbox(workers=self.settings.workers)
        self._pool = ThreadPoolExecutor(max_workers=self.sandbox.workers,
                                        thread_name_prefix="verifier")
        self.cache = RunCache(capacity=self.settings.cache_entries)

    def __enter__(self) -> Scorer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        if self._owns_sandbox:
            self.sandbox.close()

    # -- batch ---------------------------------------------------------------

    def score(self, event: Any, *, deadline: float | None = None) -> list[dict[str, Any]]:
        """The Nova response for `event`; `deadline` is a time.monotonic() instant."""
        return [r.to_response(self.settings) for r in self.evaluate(event, deadline=deadline)]

    def evaluate(self, event: Any, *, deadline: float | None = None,
                 parallel: bool = True) -> list[SampleResult]:
        """One SampleResult per sample, in order; raise InvalidRequest if not a list.

        `parallel=False` scores the samples one by one in the calling thread
        (for debugging, and for sandboxes that need the main thread).
        """
        samples = contract.parse_event(event)
        _warn_about_ids(samples)
        if not parallel:
            return [self._evaluate_safely(sample, deadline) for sample in samples]
        futures: list[Future[SampleResult]] = [
            self._pool.submit(self._evaluate_safely, sample, deadline) for sample in samples]
        results = []
        for sample, future in zip(samples, futures, strict=True):
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                results.append(future.result(timeout=wait))
            except FutureTimeout:
                future.cancel()
                results.append(self._deadline(sample))
        left = self.sandbox.sweep()
        if left:
            log.warning("batch of %d left %d stray process(es) or folder(s); removed",
                        len(samples), left)
        return results

    # -- one sample ----------------------------------------------------------

    def _evaluate_safely(self, sample: contract.Sample, deadline: float | None) -> SampleResult:
        try:
            if sample.problem is not None:
                return self._invalid(sample, sample.problem)
            return self._evaluate(sample, deadline)
        except InvalidRequest as exc:
            return self._invalid(sample, str(exc))
        except Exception as exc:  # one sample must never fail the batch
            log.exception("sample %s: internal error", contract.describe_id(sample.id))
            return self._unscored(sample, f"internal error: {clip(exc)}")

    def _resolve(self, reference: Mapping[str, Any]) -> tuple[TestSuite, Shape, str]:
        """The suite, reward shape and runtime for a reference_answer."""
        if "tests" in reference:
            suite = load_suite(dict(reference), source="<inline>", default_task_id="<inline>")
            return suite, shape_from_spec(suite.reward), suite.runtime or self.settings.runtime
        task_id = reference.get("task_id")
        if not isinstance(task_id, str):
            raise InvalidRequest("reference_answer.task_id must be a string")
        suite_found = self.suites.get(task_id)
        if suite_found is None:
            raise InvalidRequest(f"unknown task_id {clip(task_id, 100)!r}")
        overrides = {key: reference[key] for key in _EVENT_OVERRIDES if key in reference}
        runtime = overrides.get("runtime", suite_found.runtime or self.settings.runtime)
        if runtime not in ("python", "restricted"):
            raise InvalidRequest(f"runtime must be python or restricted, got {clip(runtime, 40)!r}")
        return suite_found, shape_from_spec(overrides.get("reward", suite_found.reward)), runtime

    def _evaluate(self, sample: contract.Sample, deadline: float | None) -> SampleResult:
        assert sample.reference is not None and sample.response is not None
        suite, shape, runtime = self._resolve(sample.reference)
        suite, echo = suite.for_sample(sample.id, sample.reference)
        extraction = extract_code(sample.response, language=suite.language,
                                  entry_point=suite.entry_point)
        result = self._judge_program(sample, suite, shape, extraction.code, extraction.format,
                                     deadline, runtime)
        if result.status == "scored":
            result.metrics.update(echo)
        return result

    def check(self, suite: TestSuite, code: str, *, shape: Shape | None = None,
              runtime: str | None = None, deadline: float | None = None) -> SampleResult:
        """Run `code` (no extraction) against `suite`; `validate` uses it on references."""
        sample = contract.Sample(0, suite.task_id)
        return self._judge_program(sample, suite, shape or shape_from_spec(suite.reward), code,
                                   1.0, deadline,
                                   runtime or suite.runtime or self.settings.runtime)

    def _judge_program(self, sample: contract.Sample, suite: TestSuite, shape: Shape,
                       code: str | None, format_score: float,
                       deadline: float | None, runtime: str) -> SampleResult:
        total = len(suite.tests)
        base = {"format": format_score, "safety": 1.0}
        if code is None:
            return self._scored(sample, shape, Outcome(code_found=False, loaded=False, total=total),
                                base, (), "no code found in the response")
        if len(code.encode("utf-8")) > self.settings.max_code_bytes:
            too_long = f"program longer than {self.settings.max_code_bytes} bytes"
            return self._scored(sample, shape, Outcome(code_found=True, loaded=False, total=total),
                                base, (), too_long)
        if suite.language not in self.sandbox.languages:
            log.error("sample %s: this sandbox cannot run %s programs (no tool for it here)",
                      contract.describe_id(sample.id), suite.language)
            return self._unscored(sample, f"this sandbox cannot run {suite.language} programs")
        imports: frozenset[str] = frozenset()
        if suite.language != "python":
            runtime = "python"  # the restricted runtime is Python's; a native program has none
        if runtime == "restricted":
            restricted = restrict(code)
            if restricted.code is None:
                base["safety"] = 0.0
                refused = "restricted runtime refused the program: " + "; ".join(restricted.errors)
                return self._scored(sample, shape, Outcome(code_found=True, loaded=False,
                                                           total=total), base, (), clip(refused))
            code, imports = restricted.code, allowed_imports(suite.allow_imports)
        limits = suite.resolve_limits(self.settings.limits, self.settings.limits_cap)
        job = Job(code=code, limits=limits, entry_point=suite.entry_point,
                  setup=suite.setup, language=suite.language, runtime=runtime, imports=imports,
                  tests=tuple(_test_input(n, test) for n, test in enumerate(suite.tests)))
        budget = limits.sample_timeout_s
        cut_short = False
        if deadline is not None:
            left = deadline - _WRAP_UP_S - time.monotonic()
            if left <= 0:
                return self._deadline(sample)
            cut_short = left < budget
            budget = min(budget, left)
        on_record = self._early_stop(suite) if stops_on_failure(shape) else None
        guilt = _Guilt()
        key = run_key(job, suite_fingerprint=suite.fingerprint,
                      stop_at_failure=on_record is not None)

        def run() -> tuple[RunReport, bool]:
            report = self._run(job, budget, on_record, guilt)
            # A run the batch deadline cut short depends on the time left: not stored.
            return report, not cut_short
        try:
            report, cached = self.cache.get_or_run(key, run)
        except SandboxError as exc:
            if guilt.guilty:
                return self._killed_sandbox(sample, shape, base, suite)
            log.error("sample %s: sandbox failed after retries: %s",
                      contract.describe_id(sample.id), exc)
            return self._unscored(sample, f"sandbox failed: {clip(exc)}")
        verdicts = tuple(judge_report(suite.tests, report, suite.compare,
                                      stop_at_failure=on_record is not None))
        unfinished = on_record is None and any(v.verdict is Verdict.NOT_RUN for v in verdicts)
        if (cut_short and unfinished and deadline is not None
                and time.monotonic() >= deadline - 2 * _WRAP_UP_S):
            return self._deadline(sample)
        loaded = report.loaded is True
        passed = sum(v.verdict is Verdict.PASS for v in verdicts)
        outcome = Outcome(code_found=True, loaded=loaded, passed=passed, total=total)
        base.update(runtime_ms=round(report.wall_ms, 3),
                    timeouts=float(sum(v.verdict is Verdict.TIMEOUT for v in verdicts)),
                    safety=0.0 if report.refused else 1.0, cached=1.0 if cached else 0.0)
        return self._scored(sample, shape, outcome, base, verdicts,
                            None if loaded else report.load_error)

    def _early_stop(self, suite: TestSuite) -> Callable[[TestRecord], bool]:
        def keep_going(record: TestRecord) -> bool:
            test = suite.tests[record.index]
            return judge_record(test, record, suite.compare).verdict is Verdict.PASS
        return keep_going

    def _run(self, job: Job, budget_s: float, on_record: Callable[[TestRecord], bool] | None,
             guilt: _Guilt) -> RunReport:
        end = time.monotonic() + budget_s
        retrying = Retrying(
            retry=retry_if_exception(_transient),
            stop=stop_after_attempt(_ATTEMPTS) | stop_when_event_set(guilt.event),
            wait=wait_exponential(multiplier=0.05, max=1.0),
            before_sleep=lambda state: log.warning(
                "sandbox fault, retrying: %s",
                state.outcome.exception() if state.outcome else "?"),
            reraise=True,
        )
        for attempt in retrying:
            with attempt:
                try:
                    return run_resuming(self.sandbox, job, on_record=on_record,
                                        budget_s=max(0.05, end - time.monotonic()))
                except SandboxError as exc:
                    guilt.note(exc)
                    raise
        raise AssertionError("unreachable: tenacity reraises")

    # -- results -------------------------------------------------------------

    def _scored(self, sample: contract.Sample, shape: Shape, outcome: Outcome,
                base: dict[str, float], verdicts: tuple[TestVerdict, ...],
                error: str | None) -> SampleResult:
        metrics = {
            "pass_ratio": round(outcome.pass_ratio, 6),
            "tests_passed": float(outcome.passed),
            "tests_total": float(outcome.total),
            "format": base.get("format", 0.0),
            "compiled": 1.0 if outcome.loaded else 0.0,
            "timeouts": base.get("timeouts", 0.0),
            "runtime_ms": base.get("runtime_ms", 0.0),
            "safety": base.get("safety", 1.0),
            "cached": base.get("cached", 0.0),
            "error": 0.0,
        }
        return SampleResult(sample.id, "scored", clamp(shape(outcome)), metrics, verdicts, error)

    def _killed_sandbox(self, sample: contract.Sample, shape: Shape, base: dict[str, float],
                        suite: TestSuite) -> SampleResult:
        detail = "the program killed its sandbox twice"
        verdicts = tuple(TestVerdict(test.id, Verdict.ERROR, detail) for test in suite.tests)
        outcome = Outcome(code_found=True, loaded=True, passed=0, total=len(suite.tests))
        return self._scored(sample, shape, outcome, base, verdicts, detail)

    def _invalid(self, sample: contract.Sample, reason: str) -> SampleResult:
        log.warning("sample %s (position %d) is invalid: %s", contract.describe_id(sample.id),
                    sample.position, clip(reason))
        return SampleResult(sample.id, "invalid", self.settings.floor_reward, {"error": 1.0},
                            error=clip(reason))

    def _unscored(self, sample: contract.Sample, reason: str) -> SampleResult:
        return SampleResult(sample.id, "unscored", None, {"grader_error": 1.0}, error=reason)

    def _deadline(self, sample: contract.Sample) -> SampleResult:
        log.warning("sample %s (position %d): batch deadline reached before it finished",
                    contract.describe_id(sample.id), sample.position)
        return SampleResult(sample.id, "deadline", self.settings.floor_reward, {"deadline": 1.0},
                            error="batch deadline reached")


def _warn_about_ids(samples: list[contract.Sample]) -> None:
    ids = Counter(repr(s.id) for s in samples)
    missing = sum(1 for s in samples if s.id is None)
    duplicated = sum(1 for count in ids.values() if count > 1)
    if missing or duplicated:
        log.warning("batch of %d: %d sample(s) without id, %d id(s) repeated; results keep the "
                    "input order", len(samples), missing, duplicated)


def score_batch(samples: Any, *, suites: SuiteIndex | Iterable[str | Path],
                settings: Settings | None = None, sandbox: Sandbox | None = None,
                deadline: float | None = None) -> list[dict[str, Any]]:
    """Score one batch with a sandbox started for it (use Scorer to keep it warm)."""
    index = suites if isinstance(suites, SuiteIndex) else load_suites(suites)
    with Scorer(index, sandbox=sandbox, settings=settings) as scorer:
        return scorer.score(samples, deadline=deadline)
