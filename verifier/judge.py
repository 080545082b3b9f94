"""Verdicts, decided on the trusted side from what the sandbox reported (pure).

The sandbox returns raw outcomes: a value, some output, an error. Only here
are they compared with the expected values, which never left this process.
The number of tests always comes from the suite, never from the report: a
test the program never answered (it crashed, timed out, or was stopped) is
NOT_RUN, and fails like any other.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from .compare import CompareSpec, outputs_match, values_match
from .sandbox.base import RunReport, TestRecord
from .sandbox.runner import codec
from .suites import AssertTest, CallTest, StdioTest, Test

__all__ = ["TestVerdict", "Verdict", "judge_record", "judge_report"]


class Verdict(enum.Enum):
    """What one test came to."""

    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    TIMEOUT = "timeout"
    MEMORY = "memory"
    OUTPUT_LIMIT = "output_limit"
    NOT_RUN = "not_run"


_BY_STATUS = {
    "fail": Verdict.FAIL,
    "bad_value": Verdict.FAIL,
    "error": Verdict.ERROR,
    "crashed": Verdict.ERROR,
    "protocol": Verdict.ERROR,
    "memory": Verdict.MEMORY,
    "output_limit": Verdict.OUTPUT_LIMIT,
    "timeout": Verdict.TIMEOUT,
}


@dataclass(frozen=True, slots=True)
class TestVerdict:
    """One test's verdict, with the program's error if it raised one (clipped)."""

    __test__ = False  # not a pytest test class

    test_id: str
    verdict: Verdict
    detail: str | None = None
    ms: float = 0.0


def _value_matches(test: CallTest, record: TestRecord, spec: CompareSpec) -> bool:
    try:
        actual = codec.decode(record.value)
    except (codec.CodecError, TypeError, ValueError, RecursionError):
        return False  # not a value the codec produces: the program forged it
    return values_match(test.expect, actual, spec)


def judge_record(test: Test, record: TestRecord | None, spec: CompareSpec) -> TestVerdict:
    """The verdict on `test` given what the sandbox reported for it (None: nothing)."""
    if record is None:
        return TestVerdict(test.id, Verdict.NOT_RUN)
    if record.status != "ok":
        verdict = _BY_STATUS.get(record.status, Verdict.ERROR)
        return TestVerdict(test.id, verdict, record.error, record.ms)
    if isinstance(test, CallTest):
        passed = _value_matches(test, record, spec)
    elif isinstance(test, StdioTest):
        passed = record.stdout is not None and outputs_match(test.stdout, record.stdout, spec)
    else:
        assert isinstance(test, AssertTest)
        passed = True
    return TestVerdict(test.id, Verdict.PASS if passed else Verdict.FAIL, None, record.ms)


def judge_report(tests: tuple[Test, ...], report: RunReport, spec: CompareSpec, *,
                 stop_at_failure: bool = False) -> list[TestVerdict]:
    """One verdict per test of the suite, in suite order.

    With `stop_at_failure`, every test after the first that did not pass is
    NOT_RUN, whatever the sandbox managed to report before it was stopped, so
    the metrics do not depend on how fast the stop arrived.
    """
    verdicts = [judge_record(test, report.records.get(n), spec) for n, test in enumerate(tests)]
    if stop_at_failure:
        first = next((n for n, v in enumerate(verdicts) if v.verdict is not Verdict.PASS), None)
        if first is not None:
            verdicts[first + 1:] = [TestVerdict(v.test_id, Verdict.NOT_RUN)
                                    for v in verdicts[first + 1:]]
    return verdicts
