"""Programs that try to leave the sandbox: network, exec, files, mounts, tracing."""

import os

import pytest

from tests.helpers import TESTCASES
from tests.sandbox.conftest import verdicts

PROBE = ("def add(a, b):\n    try:\n        {action}\n    except Exception as exc:\n"
         "        raise RuntimeError('refused: ' + type(exc).__name__)\n    return 'escaped'\n")


def refused(attack, action):
    entry, result, _ = attack(PROBE.format(action=action), "basics/add")
    assert "escaped" not in repr(result)
    assert "refused" in repr(result)
    return entry


def test_no_socket_to_the_lambda_runtime_api(attack):
    refused(attack, "import socket; socket.create_connection(('127.0.0.1', 9001), 1)")


def test_no_unix_socket(attack):
    refused(attack, "import socket; socket.socket(socket.AF_UNIX).connect('/var/run/docker.sock')")


def test_no_exec_of_a_shell(attack):
    refused(attack, "import os; os.execv('/bin/sh', ['sh', '-c', 'true'])")


def test_no_subprocess(attack):
    refused(attack, "import subprocess; subprocess.run(['true'])")


def test_no_reading_the_stored_suites(attack):
    refused(attack, f"open({str(TESTCASES / 'basics' / 'add.json')!r}).read()")


def test_no_reading_files_after_closing_a_descriptor(attack):
    refused(attack, "import os; os.close(2); open('/etc/hostname').read()")


def test_no_writing_into_the_temp_area(attack):
    refused(attack, "import os; os.mkdir('/tmp/verifier-escape-probe')")
    assert not os.path.exists("/tmp/verifier-escape-probe")


@pytest.fixture
def victim(tmp_path):
    """A file anyone may change, so only the sandbox stands between it and the program."""
    path = tmp_path / "victim.txt"
    path.write_text("keep me")
    os.chmod(tmp_path, 0o777)
    os.chmod(path, 0o666)
    return path


def test_no_deleting_or_renaming_files(attack, victim):
    refused(attack, f"import os; os.unlink({str(victim)!r})")
    refused(attack, f"import os; os.rename({str(victim)!r}, {str(victim)!r} + '.moved')")
    assert victim.read_text() == "keep me"


def test_no_truncating_files_by_path(attack, victim):
    refused(attack, f"import os; os.truncate({str(victim)!r}, 0)")
    assert victim.read_text() == "keep me"


def test_no_new_namespace(attack):
    refused(attack, "import ctypes; assert ctypes.CDLL(None).unshare(0x40000000) == 0")


def test_no_tracing_the_parent(attack):
    refused(attack, "import ctypes, os\n        libc = ctypes.CDLL(None)\n"
                    "        assert libc.ptrace(16, os.getppid(), 0, 0) == 0")


@pytest.mark.parametrize("target", ["/proc/1/root/etc/hostname", "/proc/self/exe"])
def test_no_reading_through_proc(attack, target):
    refused(attack, f"open({target!r}, 'rb').read(1)")


def test_fork_is_refused_or_contained(attack, sandbox):
    code = "import os\ndef add(a, b):\n    pid = os.fork()\n    return a + b if pid else 0\n"
    _, result, _ = attack(code, "basics/add")
    if sandbox.layers["no_fork"]:
        assert "PermissionError" in repr(result)
    else:
        assert "pass" in verdicts(result)
