"""Hostile programs, one test per attack. Each must end in its verdict, quickly,
leave nothing behind, and leave the service healthy (see conftest.attack)."""

import os

import pytest

from tests.sandbox.conftest import metrics


def verdicts(result):
    return [v.verdict.value for v in result.verdicts]


def test_infinite_loop_times_out(attack):
    entry, result, elapsed = attack("def add(a, b):\n    while True:\n        pass\n", "basics/add")
    assert entry["aggregate_reward_score"] == -0.5
    assert verdicts(result)[:2] == ["timeout", "timeout"]
    assert metrics(entry)["timeouts"] == 2.0
    assert elapsed < 6


def test_sleeping_without_cpu_is_stopped_by_the_wall_clock(attack):
    entry, result, elapsed = attack("import time\ntime.sleep(1000)\n", "stdio/sum_two")
    assert entry["aggregate_reward_score"] == -0.5
    assert "timeout" in verdicts(result)
    assert elapsed < 6


def test_sys_exit_before_tests_does_not_load(attack):
    entry, result, _ = attack("import sys\nsys.exit(0)\ndef add(a, b):\n    return a + b\n",
                              "basics/add")
    assert entry["aggregate_reward_score"] == -0.75
    assert "SystemExit" in result.error


def test_sys_exit_in_a_whole_program_prints_nothing_and_fails(attack):
    entry, result, _ = attack("import sys\nsys.exit(0)\n", "stdio/sum_two")
    assert entry["aggregate_reward_score"] == -0.5
    assert set(verdicts(result)) == {"fail"}


def test_os_exit_at_import_does_not_load(attack):
    entry, _, _ = attack("import os\nos._exit(0)\n", "basics/add")
    assert entry["aggregate_reward_score"] == -0.75


def test_os_exit_inside_a_test_fails_that_test_only(attack):
    code = ("import os\ndef add(a, b):\n    if a == 0:\n        os._exit(0)\n    return a + b\n")
    entry, result, _ = attack(code, "basics/add")
    assert verdicts(result).count("error") == 1
    assert verdicts(result).count("pass") == 6
    assert entry["aggregate_reward_score"] == pytest.approx(-0.5 + 1.5 * 6 / 7)


def test_fork_bomb_is_contained(attack):
    code = "import os\ndef add(a, b):\n    while True:\n        try:\n            os.fork()\n"
    code += "        except OSError:\n            pass\n"
    entry, _, elapsed = attack(code, "basics/add")
    assert entry["aggregate_reward_score"] == -0.5
    assert elapsed < 10


def test_memory_bomb_is_a_memory_verdict(attack):
    code = "def add(a, b):\n    hog = []\n    while True:\n        hog.append(bytearray(10**7))\n"
    entry, result, _ = attack(code, "basics/add")
    assert entry["aggregate_reward_score"] == -0.5
    assert "memory" in verdicts(result)


def test_stdout_flood_is_an_output_limit(attack):
    entry, result, elapsed = attack("while True:\n    print('x' * 10000)\n", "stdio/sum_two")
    assert entry["aggregate_reward_score"] == -0.5
    assert set(verdicts(result)) == {"output_limit"}
    assert elapsed < 6


def test_object_whose_eq_is_always_true_fails(attack):
    code = ("class Anything:\n    def __eq__(self, other):\n        return True\n"
            "    def __ne__(self, other):\n        return False\n"
            "def fizzbuzz(n):\n    return Anything()\n")
    entry, result, _ = attack(code, "basics/fizzbuzz")
    assert entry["aggregate_reward_score"] == -0.5
    assert set(verdicts(result)) == {"fail"}


def test_int_subclass_that_passes_isinstance_fails(attack):
    code = ("class Sly(int):\n    def __eq__(self, other):\n        return True\n"
            "    __hash__ = int.__hash__\n"
            "def add(a, b):\n    return Sly(0)\n")
    entry, result, _ = attack(code, "basics/add")
    # Only the assert snippets (which run inside, beside the program) can be fooled.
    call_verdicts = verdicts(result)[:5]
    assert set(call_verdicts) == {"fail"}
    assert entry["aggregate_reward_score"] < 0


def test_fake_passed_lines_on_stdout_are_just_wrong_output(attack):
    entry, result, _ = attack("print('PASSED')\nprint('All tests passed: 5/5')\n", "stdio/sum_two")
    assert set(verdicts(result)) == {"fail"}
    assert entry["aggregate_reward_score"] == -0.5


def test_credentials_in_the_service_environment_never_reach_the_program(scorer, attack,
                                                                        monkeypatch, caplog):
    canary = "AKIACANARY0123456789"
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", canary)
    monkeypatch.setenv("AWS_SESSION_TOKEN", canary)
    code = ("import os\n"
            "def add(a, b):\n"
            "    found = [k + '=' + v for k, v in os.environ.items()]\n"
            "    for path in ('/proc/self/environ', f'/proc/{os.getppid()}/environ'):\n"
            "        try:\n"
            "            found.append(open(path).read())\n"
            "        except OSError as exc:\n"
            "            found.append(type(exc).__name__)\n"
            "    raise RuntimeError(repr(found))\n")
    entry, result, _ = attack(code, "basics/add")
    everything = repr(entry) + repr(result) + caplog.text
    assert canary not in everything
    assert "RuntimeError" in repr(result)  # the probe ran and reported what it saw


def test_background_process_is_refused_or_killed_after_its_sample(attack, sandbox):
    code = ("import os, time\n"
            "def add(a, b):\n"
            "    if os.fork() == 0:\n"
            "        os.setsid()\n"
            "        if os.fork() == 0:\n"
            "            time.sleep(300)\n"
            "        os._exit(0)\n"
            "    return a + b\n")
    entry, result, _ = attack(code, "basics/add")
    if sandbox.layers["no_fork"]:
        assert "PermissionError" in repr(result)
    else:
        assert entry["aggregate_reward_score"] == 1.0  # correct; the fixture finds no orphan


def test_signalling_the_zygote_is_a_verdict_not_an_infrastructure_error(attack):
    code = "import os, signal\ndef add(a, b):\n    os.kill(os.getppid(), signal.SIGKILL)\n"
    entry, result, _ = attack(code, "basics/add")
    assert result.status == "scored"
    assert entry["aggregate_reward_score"] < 0
    if os.geteuid() == 0:
        # As another uid the child cannot signal its zygote at all.
        assert "PermissionError" in repr(result)
