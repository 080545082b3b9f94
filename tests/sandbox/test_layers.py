"""Each isolation layer alone: every other layer off, and this one must still hold.

Root-only layers (uid drop, namespaces, cgroup) cannot exist in an
unprivileged service; there the test checks that the probe reports them
absent rather than claiming them.
"""

import os
import socket
import tempfile
import threading
import time
from collections.abc import Iterator

import pytest

from tests.helpers import TESTCASES, call_job, stray_processes
from verifier.sandbox.process import ProcessOptions, ProcessSandbox

ROOT = os.geteuid() == 0


def _has_capability(bit: int) -> bool:
    with open("/proc/self/status") as handle:
        effective = next(line for line in handle if line.startswith("CapEff:"))
    return bool(int(effective.split()[1], 16) >> bit & 1)


CAN_RAISE_LIMITS = _has_capability(24)  # CAP_SYS_RESOURCE; root in a container may lack it
NOTHING = {"no_new_files": False, "seccomp": False, "namespaces": False, "cgroup": False,
           "drop_privileges": False, "subreaper": False, "protect_service": False}


def only(**enabled) -> ProcessSandbox:
    sandbox = ProcessSandbox(workers=1, options=ProcessOptions(**{**NOTHING, **enabled}))
    sandbox.warm()
    return sandbox


@pytest.fixture
def box(request) -> Iterator[ProcessSandbox]:
    sandbox = only(**request.param)
    try:
        yield sandbox
    finally:
        sandbox.close()


def attempt(sandbox: ProcessSandbox, body: str):
    """Run `body` (the inside of a function) in a child; its return value, or its error."""
    code = "import os, socket, resource, sys\ndef f():\n" + "".join(
        f"    {line}\n" for line in body.strip().splitlines())
    record = sandbox.run(call_job(code, "f", [], processes=4), budget_s=10).records[0]
    return record.value if record.status == "ok" else record.error


TRY = ("try:\n    {action}\nexcept OSError as exc:\n"
       "    return type(exc).__name__ + ':' + str(exc.errno)\nreturn 'allowed'")


def tried(action: str) -> str:
    return TRY.format(action=action)


@pytest.mark.parametrize("box", [{"seccomp": True}], indirect=True)
def test_seccomp_alone(box):
    assert box.layers["seccomp"] is True
    assert attempt(box, tried("socket.socket()")) == "PermissionError:1"
    assert attempt(box, tried("os.execv('/bin/true', ['true'])")) == "PermissionError:1"
    assert attempt(box, tried("os.mkdir('/tmp/verifier-seccomp-probe')")) == "PermissionError:1"
    assert attempt(box, tried("os.fork()")) == "PermissionError:1"
    assert attempt(box, tried("os.kill(-1, 0)")) == "PermissionError:1"
    assert attempt(box, tried("os.kill(os.getppid(), 0)")) == "PermissionError:1"
    assert attempt(box, tried("resource.prlimit(os.getppid(), resource.RLIMIT_NOFILE, (0, 0))")
                   ) == "PermissionError:1"
    threads = "import threading\nt = threading.Thread(target=lambda: None)\nt.start()\nt.join()\n"
    assert attempt(box, threads + "return 'threads work'") == "threads work"


@pytest.mark.parametrize("box", [{"no_new_files": True}], indirect=True)
def test_no_new_files_alone(box):
    assert box.layers["no_new_files"] is True and box.layers["seccomp"] is False
    assert attempt(box, tried("socket.socket()")) == "OSError:24"  # EMFILE
    assert attempt(box, tried("open('/etc/hostname')")) == "OSError:24"
    assert attempt(box, "os.close(2)\n" + tried("open('/etc/hostname')")) == "OSError:24"
    assert attempt(box, tried("os.pipe()")) == "OSError:24"
    assert "OSError" in attempt(box, "import xml.dom.minidom\nreturn 'imported'")
    assert attempt(box, "import heapq, collections, re, fractions\nreturn 'preloaded'") == (
        "preloaded")


@pytest.mark.parametrize("box", [{}], indirect=True)
def test_hard_limits_equal_soft_and_cannot_be_raised(box):
    body = ("names = ['RLIMIT_CPU', 'RLIMIT_AS', 'RLIMIT_FSIZE', 'RLIMIT_NPROC', 'RLIMIT_CORE']\n"
            "pairs = [resource.getrlimit(getattr(resource, n)) for n in names]\n"
            "assert all(soft == hard for soft, hard in pairs), pairs\n"
            "try:\n"
            "    resource.setrlimit(resource.RLIMIT_AS, (2**40, 2**40))\n"
            "except ValueError:\n"
            "    return 'refused'\n"
            "return 'raised'")
    # Only CAP_SYS_RESOURCE may raise a hard limit; without privilege drop a root child keeps it.
    assert attempt(box, body) == ("raised" if CAN_RAISE_LIMITS else "refused")


@pytest.mark.parametrize("box", [{"drop_privileges": True}], indirect=True)
def test_uid_drop_alone(box):
    if not ROOT:
        assert box.layers.get("uid_drop") is False  # an unprivileged service cannot drop
        return
    uid = attempt(box, "return os.getuid()")
    assert uid >= 61000
    assert attempt(box, tried("os.kill(os.getppid(), 0)")) == "PermissionError:1"
    body = "resource.setrlimit(resource.RLIMIT_AS, (2**40, 2**40))\nreturn 'raised'"
    assert "ValueError" in attempt(box, body)


def test_service_environ_unreadable_by_the_child(monkeypatch):
    """Root: the uid drop alone guards it. Unprivileged: the non-dumpable service alone."""
    monkeypatch.setenv("VERIFIER_TEST_CANARY", "canary-7f3a")
    layer = {"drop_privileges": True} if ROOT else {"protect_service": True}
    with only(**layer) as box:
        seen = attempt(box, tried(f"open('/proc/{os.getpid()}/environ').read()"))
    assert seen == "PermissionError:13"  # EACCES


@pytest.mark.parametrize("box", [{}], indirect=True)
def test_environment_is_empty_with_every_layer_off(box):
    assert attempt(box, "return dict(os.environ)") == {}


@pytest.mark.parametrize("box", [{"subreaper": True}], indirect=True)
def test_subreaper_alone_catches_an_orphan_that_left_the_session(box):
    # The job waits for its child to exit, so by the time it returns the
    # grandchild is an orphan of a new session, re-parented to the zygote.
    code = ("import os, time\ndef f():\n    child = os.fork()\n    if child == 0:\n"
            "        os.setsid()\n        if os.fork() == 0:\n            time.sleep(120)\n"
            "        os._exit(0)\n    os.waitpid(child, 0)\n    return 1\n")
    report = box.run(call_job(code, "f", []), budget_s=10)
    assert report.records[0].value == 1
    assert box.sweep() >= 1  # the zygote killed the orphan after the job
    assert not stray_processes()


@pytest.mark.parametrize("box", [{"drop_privileges": True}], indirect=True)
def test_temp_sweep_removes_what_a_job_created_by_path(box):
    path = os.path.join(tempfile.gettempdir(), f"verifier-stray-{os.getpid()}-{time.time_ns()}")
    made = attempt(box, f"os.mkdir({path!r})\nos.mkdir({path!r} + '/inner')\nreturn 'made'")
    box.sweep()  # cleanup runs after the answer; the sweep waits for it
    if not ROOT:
        # No uid of their own: nothing proves an entry is the job's, so the
        # sweep stays off (seccomp is the layer that stops this unprivileged).
        assert made == "made" and os.path.isdir(path)
        os.rmdir(path + "/inner")
        os.rmdir(path)
        return
    assert made == "made"
    assert not os.path.exists(path)


@pytest.mark.parametrize("box", [{"drop_privileges": True}, {}], indirect=True)
def test_temp_sweep_never_removes_what_others_create_meanwhile(box):
    """A folder another process makes in /tmp while a job runs survives the job."""
    path = os.path.join(tempfile.gettempdir(), f"verifier-bystander-{os.getpid()}-{time.time_ns()}")
    timer = threading.Timer(0.2, os.mkdir, args=(path,))
    timer.start()
    try:
        assert attempt(box, "import time\ntime.sleep(0.6)\nreturn 'slept'") == "slept"
        box.sweep()
        timer.join()
        assert os.path.isdir(path)
    finally:
        timer.cancel()
        if os.path.isdir(path):
            os.rmdir(path)


@pytest.mark.parametrize("box", [{"namespaces": True}], indirect=True)
def test_network_namespace_alone(box):
    if not ROOT:
        assert not box.layers.get("netns")
        return
    assert box.layers["netns"] is True
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        reached = attempt(box, tried(f"socket.create_connection(('127.0.0.1', {port}), 2)"))
    assert reached.startswith(("ConnectionRefusedError", "OSError:101", "OSError:99"))


@pytest.mark.parametrize("box", [{"namespaces": True}], indirect=True)
def test_pid_and_mount_namespaces_alone(box):
    if not ROOT:
        assert not box.layers.get("pidns") and not box.layers.get("mountns")
        return
    assert box.layers["pidns"] is True and box.layers["mountns"] is True
    assert attempt(box, "return os.getppid()") == 1  # the zygote is init of the namespace
    assert attempt(box, tried(f"os.kill({os.getpid()}, 0)")) == "ProcessLookupError:3"
    assert attempt(box, "return len([p for p in os.listdir('/proc') if p.isdigit()])") <= 3
    marker = os.path.join("/tmp", f"verifier-host-{os.getpid()}")
    with open(marker, "w") as handle:
        handle.write("host")
    try:
        assert attempt(box, f"return os.path.exists({marker!r})") is False
    finally:
        os.unlink(marker)


def test_mount_namespace_hides_the_suites():
    with only(namespaces=True, hide=(str(TESTCASES),)) as box:
        listing = attempt(box, tried(f"return os.listdir({str(TESTCASES)!r})"))
    if ROOT:
        # Absent is hidden too: a checkout under /tmp vanishes with the private /tmp.
        assert listing in ([], "PermissionError:13", "FileNotFoundError:2")
    else:
        assert isinstance(listing, list) and listing  # no namespace: the other layers guard it


@pytest.mark.parametrize("box", [{"cgroup": True}], indirect=True)
def test_cgroup_alone_bounds_processes_even_for_root(box):
    if not ROOT:
        assert not box.layers.get("cgroup")
        return
    assert box.layers["cgroup"] is True
    body = ("import time\nmade = 0\nfor _ in range(40):\n    try:\n        pid = os.fork()\n"
            "    except OSError:\n        continue\n    if pid == 0:\n        time.sleep(30)\n"
            "        os._exit(0)\n    made += 1\nreturn made")
    made = attempt(box, body)
    assert 0 < made <= 4  # processes=4 in attempt(); root ignores RLIMIT_NPROC, pids.max does not
