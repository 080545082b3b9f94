"""run_resuming against a scripted fake sandbox: pure restart logic, no processes."""

import pytest

from verifier.errors import SandboxError
from verifier.sandbox.base import Job, RunReport, TestInput, TestRecord
from verifier.sandbox.resume import run_resuming
from verifier.settings import Limits


class Scripted:
    """Answers each run with the next scripted report, recording what it was asked."""

    workers = 1

    def __init__(self, *reports):
        self.reports = list(reports)
        self.asked = []

    def run(self, job, *, budget_s, on_record=None):
        self.asked.append([t.index for t in job.tests])
        report = self.reports.pop(0)
        if on_record is not None:
            for record in report.records.values():
                if not on_record(record):
                    report.killed_for = "stopped"
                    break
        return report

    def close(self):
        pass


def job(n):
    return Job(code="x", limits=Limits(),
               tests=tuple(TestInput(index=i, kind="call", args=[]) for i in range(n)))


def ok(*indices):
    return {i: TestRecord(index=i, status="ok", value=i) for i in indices}


def test_clean_run_needs_one_process():
    box = Scripted(RunReport(loaded=True, records=ok(0, 1, 2), ended=True))
    report = run_resuming(box, job(3), budget_s=10)
    assert box.asked == [[0, 1, 2]]
    assert report.restarts == 0 and set(report.records) == {0, 1, 2}


def test_timeout_marks_the_running_test_and_resumes_after_it():
    box = Scripted(RunReport(loaded=True, records=ok(0), killed_for="timeout"),
                   RunReport(loaded=True, records=ok(2, 3), ended=True))
    report = run_resuming(box, job(4), budget_s=10)
    assert box.asked == [[0, 1, 2, 3], [2, 3]]
    assert report.records[1].status == "timeout"
    assert report.restarts == 1


def test_crash_is_marked_with_the_exit_detail():
    box = Scripted(RunReport(loaded=True, records=ok(0), exit_code=-11),
                   RunReport(loaded=True, records=ok(2), ended=True))
    report = run_resuming(box, job(3), budget_s=10)
    assert report.records[1].status == "crashed"
    assert "SIGSEGV" in report.records[1].error


def test_stops_after_max_timeouts():
    box = Scripted(RunReport(loaded=True, killed_for="timeout"),
                   RunReport(loaded=True, killed_for="timeout"),
                   RunReport(loaded=True, records=ok(2, 3), ended=True))
    report = run_resuming(box, job(4), budget_s=10, max_timeouts=2)
    assert len(box.asked) == 2
    assert [report.records[i].status for i in (0, 1)] == ["timeout", "timeout"]
    assert 2 not in report.records and 3 not in report.records


def test_failed_first_load_stops_everything():
    box = Scripted(RunReport(loaded=False, load_error="SyntaxError"))
    report = run_resuming(box, job(3), budget_s=10)
    assert report.loaded is False and report.load_error == "SyntaxError"
    assert report.records == {}


def test_silent_death_while_loading_is_a_load_failure():
    box = Scripted(RunReport(loaded=None, killed_for="timeout"))
    report = run_resuming(box, job(2), budget_s=10)
    assert report.loaded is False
    assert "while loading" in report.load_error


def test_not_loading_again_after_a_restart_fails_the_rest():
    box = Scripted(RunReport(loaded=True, records=ok(0), exit_code=1),
                   RunReport(loaded=None, exit_code=1))
    report = run_resuming(box, job(4), budget_s=10)
    assert report.loaded is True
    assert [report.records[i].status for i in (1, 2, 3)] == ["crashed"] * 3


def test_early_stop_is_not_resumed():
    box = Scripted(RunReport(loaded=True, records=ok(0, 1)))
    report = run_resuming(box, job(4), budget_s=10, on_record=lambda r: r.index < 1)
    assert box.asked == [[0, 1, 2, 3]]
    assert 3 not in report.records


def test_protocol_violation_marks_the_next_test():
    box = Scripted(RunReport(loaded=True, records=ok(0), protocol_error="bad",
                             killed_for="protocol"),
                   RunReport(loaded=True, records=ok(2), ended=True))
    report = run_resuming(box, job(3), budget_s=10)
    assert report.records[1].status == "protocol"
    assert report.protocol_error == "bad"


def test_a_driver_fault_is_an_infrastructure_error_not_a_verdict():
    broken = RunReport(loaded=True, fault="could not start the program: Permission denied")
    with pytest.raises(SandboxError, match="could not start") as caught:
        run_resuming(Scripted(broken), job(2), budget_s=5)
    assert caught.value.transient
