import pytest

from verifier.compare import CompareSpec
from verifier.judge import Verdict, judge_record, judge_report
from verifier.sandbox.base import RunReport, TestRecord
from verifier.suites import AssertTest, CallTest, StdioTest

SPEC = CompareSpec()
CALL = CallTest("c", [1], {}, (1, 2))
STDIO = StdioTest("s", "", "3\n")
ASSERT = AssertTest("a", "assert True")


def rec(status="ok", **fields):
    return TestRecord(index=0, status=status, **fields)


def test_call_value_compared_on_the_trusted_side():
    assert judge_record(CALL, rec(value={"__tuple__": [1, 2]}), SPEC).verdict is Verdict.PASS
    assert judge_record(CALL, rec(value=[1, 2]), SPEC).verdict is Verdict.FAIL


def test_undecodable_value_fails():
    assert judge_record(CALL, rec(value={"__tuple__": 9}), SPEC).verdict is Verdict.FAIL


def test_stdio_output_compared_by_rule():
    assert judge_record(STDIO, rec(stdout="3"), SPEC).verdict is Verdict.PASS
    assert judge_record(STDIO, rec(stdout="4\n"), SPEC).verdict is Verdict.FAIL
    assert judge_record(STDIO, rec(stdout=None), SPEC).verdict is Verdict.FAIL


def test_assert_passes_only_on_ok():
    assert judge_record(ASSERT, rec(), SPEC).verdict is Verdict.PASS
    assert judge_record(ASSERT, rec("fail"), SPEC).verdict is Verdict.FAIL


@pytest.mark.parametrize(("status", "verdict"), [
    ("error", Verdict.ERROR), ("crashed", Verdict.ERROR), ("protocol", Verdict.ERROR),
    ("memory", Verdict.MEMORY), ("output_limit", Verdict.OUTPUT_LIMIT),
    ("timeout", Verdict.TIMEOUT), ("bad_value", Verdict.FAIL), ("weird", Verdict.ERROR),
])
def test_statuses_map_to_verdicts(status, verdict):
    assert judge_record(CALL, rec(status, error="boom"), SPEC).verdict is verdict


def test_missing_record_is_not_run_and_total_comes_from_the_suite():
    report = RunReport(loaded=True, records={0: rec(value={"__tuple__": [1, 2]})})
    verdicts = judge_report((CALL, STDIO, ASSERT), report, SPEC)
    assert [v.verdict for v in verdicts] == [Verdict.PASS, Verdict.NOT_RUN, Verdict.NOT_RUN]


def test_stop_at_failure_ignores_whatever_arrived_after_the_first_failure():
    good = rec(value={"__tuple__": [1, 2]})
    report = RunReport(loaded=True, records={0: good, 1: rec(value=[0]), 2: good})
    verdicts = judge_report((CALL, CALL, CALL), report, SPEC, stop_at_failure=True)
    assert [v.verdict for v in verdicts] == [Verdict.PASS, Verdict.FAIL, Verdict.NOT_RUN]
    assert judge_report((CALL, CALL, CALL), report, SPEC)[2].verdict is Verdict.PASS


def test_extra_records_are_ignored():
    records = {n: rec(value={"__tuple__": [1, 2]}) for n in range(5)}
    assert len(judge_report((CALL,), RunReport(loaded=True, records=records), SPEC)) == 1
