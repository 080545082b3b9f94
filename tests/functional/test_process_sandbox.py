"""The real process sandbox: zygotes, forked children, limits, capture, cleanup."""

import os
import time

import pytest

from tests.helpers import call_job, stdio_job, stray_processes
from verifier.sandbox.base import Job, TestInput
from verifier.sandbox.process import ProcessOptions, ProcessSandbox, ZygoteFailed
from verifier.sandbox.resume import run_resuming
from verifier.settings import Limits


def test_call_tests_return_typed_values(sandbox):
    report = sandbox.run(call_job("def f(x):\n    return (x, [x], {x})\n", "f", [1], [2]),
                         budget_s=10)
    assert report.loaded and report.ended
    assert report.records[0].value == {"__tuple__": [1, [1], {"__set__": [1]}]}
    assert report.records[1].status == "ok"


def test_kwargs_and_big_ints_reach_the_program(sandbox):
    job = Job(code="def f(a, *, b=0):\n    return a * b\n", entry_point="f", limits=Limits(),
              tests=(TestInput(index=0, kind="call", args=[10**30], kwargs={"b": 3}),))
    assert sandbox.run(job, budget_s=10).records[0].value == 3 * 10**30


@pytest.mark.parametrize("code", [
    "print(int(input()) * 2)",
    "import sys\nprint(int(sys.stdin.readline()) * 2)",
    "import sys\nsys.stdout.write(str(int(sys.stdin.buffer.read()) * 2) + '\\n')",
    "print(int(open(0).read()) * 2)",
    "import os\nos.write(1, (str(int(os.read(0, 100)) * 2) + '\\n').encode())",
    "import sys\nprint(int(input()) * 2)\nsys.exit(0)",
    "n = int(input())\nexit(print(n * 2))",
    "def main():\n    print(int(input()) * 2)\n\nif __name__ == '__main__':\n    main()",
])
def test_stdio_programs_read_and_write_every_common_way(sandbox, code):
    report = sandbox.run(stdio_job(code, "21\n", "5\n", "0\n"), budget_s=10)
    assert [report.records[i].stdout for i in range(3)] == ["42\n", "10\n", "0\n"]


def test_each_stdio_test_starts_from_a_fresh_namespace(sandbox):
    code = "try:\n    seen += 1\nexcept NameError:\n    seen = 1\nprint(seen)"
    report = sandbox.run(stdio_job(code, "", ""), budget_s=10)
    assert [r.stdout for r in report.records.values()] == ["1\n", "1\n"]


def test_assert_snippets_run_in_the_program_namespace(sandbox):
    job = Job(code="def sq(x):\n    return x * x\n", entry_point="sq", limits=Limits(),
              tests=(TestInput(index=0, kind="assert", snippet="assert sq(3) == 9"),
                     TestInput(index=1, kind="assert", snippet="assert candidate(2) == 5"),
                     TestInput(index=2, kind="assert", snippet="assert undefined_name")))
    records = sandbox.run(job, budget_s=10).records
    assert [records[i].status for i in range(3)] == ["ok", "fail", "error"]


def test_setup_code_runs_before_the_tests(sandbox):
    job = Job(code="def f():\n    return LIMIT\n", entry_point="f", limits=Limits(),
              setup="LIMIT = 7", tests=(TestInput(index=0, kind="call", args=[]),))
    assert sandbox.run(job, budget_s=10).records[0].value == 7


def test_load_failures(sandbox):
    syntax = sandbox.run(call_job("def f(:\n", "f", []), budget_s=10)
    assert syntax.loaded is False and "SyntaxError" in syntax.load_error
    missing = sandbox.run(call_job("def g():\n    return 1\n", "f", []), budget_s=10)
    assert missing.loaded is False and "entry point 'f'" in missing.load_error
    raising = sandbox.run(call_job("raise ValueError('at import')\n", "f", []), budget_s=10)
    assert raising.loaded is False and "ValueError" in raising.load_error


def test_exceptions_memory_and_output_caps_are_per_test_statuses(sandbox):
    code = ("def f(kind):\n"
            "    if kind == 'raise':\n        raise KeyError('k')\n"
            "    if kind == 'memory':\n        return 'x' * (2 ** 40)\n"
            "    if kind == 'flood':\n        print('y' * 5000)\n"
            "    if kind == 'object':\n        return object()\n"
            "    return kind\n")
    report = sandbox.run(call_job(code, "f", ["raise"], ["memory"], ["flood"], ["object"], ["fine"],
                                  output_bytes=1000), budget_s=10)
    statuses = [report.records[i].status for i in range(5)]
    assert statuses == ["error", "memory", "output_limit", "bad_value", "ok"]
    assert "KeyError" in report.records[0].error


def test_per_test_timeout_then_resume(sandbox):
    code = "import time\ndef f(x):\n    if x == 1:\n        time.sleep(100)\n    return x\n"
    started = time.monotonic()
    report = run_resuming(sandbox, call_job(code, "f", [0], [1], [2], timeout_s=0.5), budget_s=10)
    assert time.monotonic() - started < 5
    assert [report.records[i].status for i in range(3)] == ["ok", "timeout", "ok"]
    assert report.restarts == 1


def test_sample_budget_bounds_the_whole_job(sandbox):
    code = "import time\ndef f(x):\n    time.sleep(0.4)\n    return x\n"
    report = sandbox.run(call_job(code, "f", *([[i] for i in range(20)]), timeout_s=1), budget_s=1)
    assert report.killed_for == "timeout"
    assert 1 <= len(report.records) <= 3


def test_early_stop_on_request(sandbox):
    code = "import time\ndef f(x):\n    time.sleep(0.02)\n    return x\n"
    seen = []

    def keep_going(record):
        seen.append(record.index)
        return record.index < 1

    report = sandbox.run(call_job(code, "f", *([[i] for i in range(50)])), budget_s=10,
                         on_record=keep_going)
    assert report.killed_for == "stopped"
    assert len(report.records) < 50


def test_work_folder_is_the_cwd_and_is_removed(sandbox):
    code = "import os\ndef f():\n    return os.getcwd()\n"
    cwd = sandbox.run(call_job(code, "f", []), budget_s=10).records[0].value
    assert "job-" in cwd
    sandbox.sweep()  # the zygote removes it after answering; the sweep waits for that
    assert not os.path.exists(cwd)


def test_environment_is_empty(sandbox):
    code = "import os\ndef f():\n    return sorted(os.environ)\n"
    assert sandbox.run(call_job(code, "f", []), budget_s=10).records[0].value == []


def test_zygote_killed_from_outside_is_replaced(suites):
    with ProcessSandbox(workers=1) as box:
        job = call_job("def f():\n    return 1\n", "f", [])
        assert box.run(job, budget_s=5).records[0].value == 1
        pid = box.zygote_pids()[0]  # the process started by the service
        os.kill(pid, 9)
        time.sleep(0.1)
        assert box.run(job, budget_s=5).records[0].value == 1
        assert box.zygote_pids() != [pid]


def test_zygote_that_cannot_start_is_a_sandbox_error():
    with ProcessSandbox(workers=1, options=ProcessOptions(python="/nonexistent/python")) as box, \
            pytest.raises(ZygoteFailed) as info:
        box.run(call_job("x = 1", "f", []), budget_s=5)
    assert info.value.transient and not info.value.suspect


def test_layers_are_reported(sandbox):
    assert sandbox.layers["subreaper"] is True
    assert sandbox.layers["uid_drop"] is (os.geteuid() == 0)


def test_no_process_outlives_its_job(sandbox):
    code = ("import os, time\ndef f():\n    if os.fork() == 0:\n        time.sleep(60)\n"
            "    return 1\n")
    report = sandbox.run(call_job(code, "f", []), budget_s=5)
    found = sandbox.sweep()
    if sandbox.layers["no_fork"]:
        assert "PermissionError" in report.records[0].error
    else:
        assert found >= 1
    assert not stray_processes()


def test_output_from_a_thread_with_a_bigger_stack_is_kept(sandbox):
    code = ("import sys, threading\nsys.setrecursionlimit(10**6)\nthreading.stack_size(2**26)\n"
            "def main():\n    def depth(n):\n        return 0 if n == 0 else 1 + depth(n - 1)\n"
            "    print(depth(int(input())))\n"
            "threading.Thread(target=main).start()\n")
    report = sandbox.run(stdio_job(code, "50000\n"), budget_s=10)
    assert report.records[0].stdout == "50000\n"


def test_a_returned_int_past_the_decimal_limit_is_judged(sandbox):
    report = sandbox.run(call_job("def f():\n    return 7 ** 20000\n", "f", []), budget_s=10)
    assert report.records[0].status == "ok"
    from verifier.sandbox.runner.codec import decode

    assert decode(report.records[0].value) == 7 ** 20000
