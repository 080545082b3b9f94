"""The isolation layers of the zygote, and a probe that checks they really work.

`harden` turns on, in the zygote, every layer the platform grants; each is
assumed to fail alone, so the report says which took. `probe` then forks a
child that goes through the same entry as a job's child and tries what the
layers should forbid; the probe's findings, not the intentions, are the
report the service logs and can insist on (strict mode).

Root only: network, IPC and UTS namespaces; a mount namespace with a fresh
/tmp and /dev/shm and the suite folders hidden; a PID namespace whose init is
the zygote itself (so killing it kills every process it ever started); a
cgroup for memory and process count. Everywhere: child subreaper,
non-dumpable, seccomp.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import resource
import socket
import sys
from typing import Any

from . import landlock, seccomp

__all__ = ["enter_namespaces", "harden", "judge_probe", "probe_in_child"]

_CLONE_NEWNS, _CLONE_NEWUTS, _CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
_CLONE_NEWPID, _CLONE_NEWNET = 0x20000000, 0x40000000
_MS_NOSUID, _MS_NODEV, _MS_NOEXEC, _MS_REC, _MS_PRIVATE = 2, 4, 8, 0x4000, 0x40000
_MS_RDONLY = 1
_PR_SET_DUMPABLE, _PR_SET_CHILD_SUBREAPER, _PR_SET_PDEATHSIG = 4, 36, 1


def _libc() -> Any:
    return ctypes.CDLL(None, use_errno=True)


def _call(name: str, *args: Any) -> bool:
    try:
        return int(getattr(_libc(), name)(*args)) == 0
    except (OSError, AttributeError):
        return False


def _encoded(text: str | None) -> bytes | None:
    return text.encode() if text is not None else None


def _mount(source: str, target: str, kind: str | None, flags: int, data: str | None) -> bool:
    return _call("mount", _encoded(source), _encoded(target), _encoded(kind), flags,
                 _encoded(data))


def enter_namespaces(config: dict[str, Any]) -> dict[str, bool]:
    """Root only: private network, IPC, UTS, mount and PID namespaces.

    For the PID namespace the zygote forks once: the child becomes PID 1 of
    the new namespace and goes on as the zygote; the original process only
    waits for it and passes on its exit status, so the service's handle and
    process group still reach both.
    """
    if os.geteuid() != 0 or not config.get("namespaces", True):
        return {}
    got = {
        "netns": _call("unshare", _CLONE_NEWNET),
        "ipcns": _call("unshare", _CLONE_NEWIPC | _CLONE_NEWUTS),
    }
    got["mountns"] = _call("unshare", _CLONE_NEWNS) and _private_mounts(config)
    if got["mountns"] and _call("unshare", _CLONE_NEWPID):
        pid = os.fork()
        if pid:
            os.close(0)
            os.close(1)
            _, status = os.waitpid(pid, 0)
            os._exit(os.waitstatus_to_exitcode(status) & 0xFF)
        _call("prctl", _PR_SET_PDEATHSIG, 9, 0, 0, 0)
        # A /proc of this namespace: children see only their own processes.
        got["pidns"] = _mount("proc", "/proc", "proc", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC, None)
    else:
        got["pidns"] = False
    return got


def _private_mounts(config: dict[str, Any]) -> bool:
    """Stop mount propagation, give /tmp and /dev/shm fresh tmpfs, hide the suites."""
    if not _mount("none", "/", None, _MS_REC | _MS_PRIVATE, None):
        return False
    flags = _MS_NOSUID | _MS_NODEV
    ok = _mount("tmpfs", "/tmp", "tmpfs", flags, "size=256m,mode=1777")
    with contextlib.suppress(OSError):
        if os.path.isdir("/dev/shm"):
            ok = _mount("tmpfs", "/dev/shm", "tmpfs", flags, "size=64m,mode=1777") and ok
    for path in config.get("hide", []):
        if os.path.isdir(path):
            ok = _mount("tmpfs", path, "tmpfs", flags | _MS_RDONLY, "size=4k,mode=0") and ok
    return ok


def harden(config: dict[str, Any]) -> dict[str, Any]:
    """Turn on the zygote's own layers; report which took."""
    layers: dict[str, Any] = {"uid_drop": config.get("uid") is not None}
    layers["subreaper"] = os.getpid() == 1 or (
        config.get("subreaper", True) and _call("prctl", _PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0))
    layers["non_dumpable"] = _call("prctl", _PR_SET_DUMPABLE, 0, 0, 0, 0)
    layers["landlock"] = landlock.abi() > 0  # used by the native driver (compiler, Node.js)
    layers["seccomp"] = False
    if config.get("seccomp", True):
        protected = [1]
        service = config.get("service_pid")
        if isinstance(service, int) and service > 1:
            protected.append(service)
            with contextlib.suppress(OSError):
                protected.append(os.getpgid(service))
        layers["seccomp"] = seccomp.install(seccomp.zygote_filter(protected=protected))
    return layers


def _attempt(action: Any) -> str:
    """'ok', or the errno name an action failed with."""
    try:
        action()
    except OSError as exc:
        return errno.errorcode.get(exc.errno or 0, "error")
    except (ValueError, TypeError) as exc:
        return type(exc).__name__
    return "ok"


def probe_in_child(service_pid: int | None) -> dict[str, str]:
    """What a job's child can still do; runs in a child after its whole entry."""
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    found = {
        "open": _attempt(lambda: open("/etc/hostname", "rb")),  # noqa: SIM115
        "socket": _attempt(lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM)),
        "exec": _attempt(lambda: os.execv("/nonexistent-verifier-probe", ["x"])),
        "mkdir": _attempt(lambda: os.mkdir("verifier-probe-dir")),
        "fork": _attempt(lambda: os._exit(0) if os.fork() == 0 else None),
        "raise_limit": _attempt(lambda: resource.setrlimit(resource.RLIMIT_CPU,
                                                           (hard + 1, hard + 1))),
        "environ": "empty" if not os.environ else "set",
    }
    if soft != hard:
        found["raise_limit"] = "soft_below_hard"
    if service_pid is not None:
        found["signal_service"] = _attempt(lambda: os.kill(service_pid, 0))
    with contextlib.suppress(OSError):
        os.rmdir("verifier-probe-dir")
    return found


def judge_probe(found: dict[str, Any], layers: dict[str, Any]) -> dict[str, Any]:
    """The layers report: what was turned on, confirmed by what the probe child could not do."""
    report = dict(layers)
    report["probe_ran"] = bool(found)
    report["no_new_files"] = found.get("open") == "EMFILE"
    report["no_network"] = found.get("socket") in ("EPERM", "EMFILE", "EACCES")
    report["no_exec"] = found.get("exec") == "EPERM"
    report["no_fs_changes"] = found.get("mkdir") == "EPERM"
    report["no_fork"] = found.get("fork") == "EPERM"
    report["hard_limits"] = found.get("raise_limit") in ("ValueError", "EPERM")
    report["empty_env"] = found.get("environ") == "empty"
    if "signal_service" in found:
        report["service_unreachable"] = found["signal_service"] in ("EPERM", "ESRCH")
    elif layers.get("pidns"):
        report["service_unreachable"] = True  # outside the namespace: no pid reaches it
    report["seccomp"] = bool(layers.get("seccomp")) and report["no_exec"]
    report["python"] = sys.version.split()[0]
    return report
