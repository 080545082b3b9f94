"""Programs that tamper with the harness, the runner or the zygote."""

from tests.sandbox.conftest import verdicts


def test_patching_the_runner_cannot_claim_a_pass(attack):
    # The runner lives in the program's process, so it can be patched; what it
    # sends still gets checked outside, where only the right value passes.
    code = ("import sys\n"
            "for name, module in list(sys.modules.items()):\n"
            "    if name.endswith('codec'):\n"
            "        module.encode = lambda value, _depth=0: {'status': 'pass', 'ok': True}\n"
            "def add(a, b):\n    return 0\n")
    _, result, _ = attack(code, "basics/add")
    assert verdicts(result)[:5].count("pass") == 0


def test_signalling_the_zygote_is_a_verdict_not_an_infrastructure_error(attack):
    code = "import os, signal\ndef add(a, b):\n    os.kill(os.getppid(), signal.SIGKILL)\n"
    entry, result, _ = attack(code, "basics/add")
    assert result.status == "scored"
    assert entry["aggregate_reward_score"] < 0


def test_kill_every_process_is_refused(attack, sandbox):
    code = "import os, signal\ndef add(a, b):\n    os.kill(-1, signal.SIGKILL)\n    return a + b\n"
    _, result, _ = attack(code, "basics/add")
    assert result.status == "scored"  # and the fixture proves the service survived
    if sandbox.layers["seccomp"]:
        assert "PermissionError" in repr(result)


def test_stopping_itself_ends_in_a_timeout(attack):
    code = "import os, signal\ndef add(a, b):\n    os.kill(os.getpid(), signal.SIGSTOP)\n"
    _entry, result, elapsed = attack(code, "basics/add")
    assert "timeout" in verdicts(result)
    assert elapsed < 8


def test_ignoring_signals_does_not_help(attack):
    code = ("import signal\nfor s in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM):\n"
            "    signal.signal(s, signal.SIG_IGN)\n"
            "def add(a, b):\n    while True:\n        pass\n")
    _, result, elapsed = attack(code, "basics/add")
    assert verdicts(result)[0] == "timeout"
    assert elapsed < 8


def test_closing_the_result_pipe_fails_the_rest(attack):
    code = "import os\ndef add(a, b):\n    os.close(3)\n    return a + b\n"
    entry, result, _ = attack(code, "basics/add")
    assert "pass" not in verdicts(result)
    assert entry["aggregate_reward_score"] < 0


def test_raising_limits_back_is_refused(attack):
    code = ("import resource\ndef add(a, b):\n"
            "    resource.setrlimit(resource.RLIMIT_AS, (2**40, 2**40))\n    return a + b\n")
    _, result, _ = attack(code, "basics/add")
    assert "ValueError" in repr(result) or "not allowed" in repr(result)


def test_raw_syscalls_through_ctypes_are_filtered(attack, sandbox):
    code = ("import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
            "def add(a, b):\n"
            "    fd = libc.syscall(41, 2, 1, 0)  # socket(AF_INET, SOCK_STREAM)\n"
            "    return a + b if fd < 0 else 'socket'\n")
    entry, result, _ = attack(code, "basics/add")
    assert "socket" not in repr(result)
    assert entry["aggregate_reward_score"] == 1.0  # the raw call failed; add() went on


def test_test_frameworks_are_not_there_to_patch(attack):
    entry, result, _ = attack("import pytest\ndef add(a, b):\n    return a + b\n", "basics/add")
    assert entry["aggregate_reward_score"] == -0.75
    # Not there (no site-packages), or not loadable (no file can be opened; how
    # depends on whether the checkout is visible inside, e.g. under /tmp as root).
    assert result.error.startswith(("ModuleNotFoundError", "OSError")), result.error
