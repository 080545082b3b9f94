"""What validation concludes from a reference's runs (the runs themselves are faked here)."""

import json

import pytest

from verifier.errors import InvalidRequest
from verifier.judge import TestVerdict, Verdict
from verifier.service import SampleResult
from verifier.settings import Limits
from verifier.suites import load_suite
from verifier.validation import (
    ValidationOptions,
    ValidationReport,
    analyze,
    suggested_timeout,
    summary_line,
    table_lines,
)

SUITE = load_suite({"task_id": "t/x", "entry_point": "f", "reference_solution": "...",
                    "tests": [{"args": [n], "expect": n} for n in range(6)]})
LIMITS = Limits(timeout_s=2.0, sample_timeout_s=30.0)
OPTIONS = ValidationOptions(runs=3)


def run(*verdicts, ms=1.0, status="scored", error=None):
    """One run of the reference: a verdict (or (verdict, ms)) per test."""
    out = []
    for n, item in enumerate(verdicts):
        verdict, time_ms = item if isinstance(item, tuple) else (item, ms)
        out.append(TestVerdict(str(n), Verdict(verdict), None, time_ms))
    return SampleResult(0, status, 1.0, {}, tuple(out), error)


PASSING = ["pass"] * 6


def test_a_steady_pass():
    report = analyze(SUITE, [run(*PASSING)] * 3, LIMITS, OPTIONS)
    assert report.status == "pass" and report.runs == 3
    assert not (report.failing or report.flaky or report.slow or report.warnings)
    assert report.suggested_timeout_s == 1.0  # the floor
    assert table_lines(report)[0].startswith("ok    t/x")


def test_a_test_failing_every_run_fails_the_suite():
    bad = [*PASSING[:5], "fail"]
    report = analyze(SUITE, [run(*bad)] * 3, LIMITS, OPTIONS)
    assert report.status == "fail"
    assert [f.test_id for f in report.failing] == ["5"]
    assert report.failing[0].verdicts == ("fail", "fail", "fail")
    assert any("failing 5: fail, fail, fail" in line for line in table_lines(report))


def test_a_changing_verdict_is_flaky():
    runs = [run(*PASSING), run(*PASSING[:2], "timeout", *PASSING[3:]), run(*PASSING)]
    report = analyze(SUITE, runs, LIMITS, OPTIONS)
    assert report.status == "flaky"
    assert [f.test_id for f in report.flaky] == ["2"] and not report.failing
    assert report.flaky[0].verdicts == ("pass", "timeout", "pass")


def test_slow_tests_warn_and_get_a_calibrated_limit():
    slow = [*PASSING[:4], ("pass", 600.0), "pass"]
    report = analyze(SUITE, [run(*slow)] * 3, LIMITS, OPTIONS)
    assert report.status == "pass"  # a warning, not a failure
    assert [f.test_id for f in report.slow] == ["4"]
    assert report.max_test_ms == 600.0
    assert report.suggested_timeout_s == 2.4  # 4 x 0.6 s
    assert "suggest 2.4 s" in table_lines(report)[0]
    assert table_lines(report)[0].startswith("warn")


def test_too_few_tests_and_a_slow_sample_warn():
    few = load_suite({"task_id": "t/few", "entry_point": "f",
                      "tests": [{"args": [1], "expect": 1}]})
    results = [SampleResult(0, "scored", 1.0, {}, (TestVerdict("0", Verdict.PASS, None, 9000.0),))]
    report = analyze(few, results, Limits(timeout_s=20, sample_timeout_s=30), OPTIONS)
    assert any("only 1 test" in w for w in report.warnings)
    assert any("sample limit" in w for w in report.warnings)


def test_a_run_the_service_could_not_judge_is_an_error():
    report = analyze(SUITE, [run(*PASSING), run(status="unscored", error="sandbox failed")],
                     LIMITS, OPTIONS)
    assert report.status == "error" and report.error == "sandbox failed"


def test_a_reference_that_does_not_load_fails():
    report = analyze(SUITE, [run(*["not_run"] * 6, error="SyntaxError: bad")] * 2, LIMITS,
                     OPTIONS)
    assert report.status == "fail" and report.error == "SyntaxError: bad"
    assert len(report.failing) == 6


def test_suggested_limits_follow_evalplus():
    assert suggested_timeout(10.0, OPTIONS) == 1.0
    assert suggested_timeout(333.0, OPTIONS) == 1.4  # 1.332 rounded up
    assert suggested_timeout(333.0, ValidationOptions(time_factor=2, min_timeout_s=0.1)) == 0.7


def test_report_counts_and_json():
    reports = [analyze(SUITE, [run(*PASSING)], LIMITS, OPTIONS),
               analyze(SUITE, [run(*PASSING[:5], "error")], LIMITS, OPTIONS)]
    full = ValidationReport(OPTIONS, reports)
    assert [r.status for r in full.failed] == ["fail"]
    data = json.loads(json.dumps(full.to_json()))
    assert data["summary"]["pass"] == 1 and data["summary"]["fail"] == 1
    assert data["suites"][1]["failing"][0]["verdicts"] == ["error"]
    assert data["options"]["time_factor"] == 4.0
    assert summary_line(full).startswith("2 suites: 1 pass, 1 fail")


@pytest.mark.parametrize("bad", [{"runs": 0}, {"time_factor": 0.5}, {"min_timeout_s": 0}])
def test_options_are_checked(bad):
    with pytest.raises(InvalidRequest):
        ValidationOptions(**bad)
