"""The zygote: a clean, warm process that forks one child per job.

Started by the service with an empty environment in a bare interpreter
(`python -S`), it never holds a secret or an expected value: it only ever
receives programs and test inputs. It preloads the standard-library modules
generated code tends to use, so a forked child imports them without touching
the disk (the child may not open files at all), then serves jobs on fd 0/1:

    service -> zygote   {"k": "config", ...} once, then {"k": "run", "job": {...}},
                        {"k": "stop"} while a job runs
    zygote -> service   {"k": "ready", ...} once, then per job any number of
                        {"k": "rec", "r": <child frame>} and one {"k": "done", ...}

The child's frames are wrapped, never passed through as the zygote's own, so
a child cannot forge the end of its job. Deadlines are enforced here, outside
the child: on a per-test or per-sample deadline the child's whole process
group is killed, and after every job any process it left behind is killed too.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import select
import shutil
import signal
import stat
import sys
import tempfile
import time
from collections import deque
from typing import Any

from . import wire
from .child import run_child

__all__ = ["PRELOAD", "main"]

PRELOAD = (
    "abc", "array", "base64", "binascii", "bisect", "calendar", "cmath", "collections",
    "collections.abc", "contextlib", "copy", "dataclasses", "datetime", "decimal", "difflib",
    "enum", "fractions", "functools", "graphlib", "hashlib", "heapq", "io", "itertools", "json",
    "keyword", "math", "numbers", "operator", "pprint", "queue", "random", "re", "statistics",
    "string", "struct", "textwrap", "threading", "time", "types", "typing", "unicodedata",
    "weakref", "zlib",
)
"""Modules loaded before any fork; a child can import these without opening files."""

_CONTROL_FRAME = 1 << 24
_POLL_S = 0.005


def _preload() -> list[str]:
    # The zygote runs with -S (no site-packages reachable), which also skips
    # the exit()/quit() builtins programs use; importing site under -S adds
    # nothing to sys.path, and setquit() installs just those two.
    import site

    site.setquit()
    missing = []
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    return missing


class _Control:
    """Frames from the service on fd 0, queued so none is lost between reads."""

    def __init__(self) -> None:
        self._reader = wire.FrameReader(max_frame=_CONTROL_FRAME)
        self._queue: deque[Any] = deque()
        self.closed = False

    def poll(self) -> None:
        """Read once (fd 0 is known to be readable) and queue what arrived."""
        chunk = os.read(0, 1 << 16)
        if not chunk:
            self.closed = True
            return
        self._reader.feed(chunk)
        self._queue.extend(self._reader.frames())

    def next(self) -> Any | None:
        """Block until the next frame; None when the service has gone."""
        while not self._queue and not self.closed:
            self.poll()
        return self._queue.popleft() if self._queue else None

    def stop_requested(self, seq: Any) -> bool:
        """Whether a stop for job `seq` arrived; consumes stale stops of earlier jobs."""
        kept: deque[Any] = deque()
        found = False
        for frame in self._queue:
            if isinstance(frame, dict) and frame.get("k") == "stop":
                found = found or frame.get("seq") == seq
            else:
                kept.append(frame)
        self._queue = kept
        return found


def _children_of(parent: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                data = handle.read()
        except OSError:
            continue
        # The command name may hold spaces and parentheses; ppid follows the last ')'.
        fields = data[data.rfind(b")") + 2:].split()
        if len(fields) > 1 and int(fields[1]) == parent:
            found.append(int(entry))
    return found


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _kill_uid(uid: int) -> None:
    """Kill every process of `uid`: a helper becomes that user and signals -1."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setuid(uid)
            os.kill(-1, signal.SIGKILL)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def _sweep(plan: dict[str, Any]) -> int:
    """Kill and reap whatever the last job left behind; return how many were killed.

    As a child subreaper the zygote inherits every orphan of its children, so
    "no children left" (ECHILD) proves nothing survived.
    """
    if plan.get("uid") is not None and not plan["layers"].get("subreaper"):
        _kill_uid(plan["uid"])
    killed = 0
    for _ in range(1000):
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return killed
        if pid:
            continue
        for child in _children_of(os.getpid()):
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGKILL)
                killed += 1
        time.sleep(_POLL_S)
    return killed


def _remove_tree(path: str) -> None:
    def unlock(func: Any, failed: str, _exc: Any) -> None:
        # A program may have removed permissions from what it created.
        os.chmod(os.path.dirname(failed), stat.S_IRWXU)
        with contextlib.suppress(OSError):
            os.chmod(failed, stat.S_IRWXU)
        func(failed)

    with contextlib.suppress(FileNotFoundError):
        shutil.rmtree(path, onerror=unlock)


class _Job:
    """One job: fork the child, relay its frames, enforce its deadlines."""

    def __init__(self, job: dict[str, Any], plan: dict[str, Any], control: _Control,
                 devnull: int, seq: Any) -> None:
        self.job = job
        self.seq = seq
        self.plan = plan
        self.control = control
        self.devnull = devnull
        limits = job["limits"]
        self.per_test_s = float(limits["timeout_s"])
        self.budget_s = float(job["budget_s"])
        self.max_frame = 8 * int(limits["output_bytes"]) + (1 << 20)
        self.frames = 0

    def run(self) -> dict[str, Any]:
        started = time.monotonic()
        workdir = tempfile.mkdtemp(prefix="job-", dir=self.plan["tmp"])
        if self.plan.get("uid") is not None:
            os.chown(workdir, self.plan["uid"], self.plan["gid"])
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_fd)
            run_child(self.job, self.plan, result_fd=write_fd, devnull_fd=self.devnull,
                      workdir=workdir, max_frame=self.max_frame)
        os.close(write_fd)
        with contextlib.suppress(OSError):  # the child may have done it already
            os.setpgid(pid, pid)
        try:
            killed_for = self._watch(pid, read_fd, started)
        finally:
            _kill_group(pid)
            _, status, usage = os.wait4(pid, 0)
            os.close(read_fd)
        strays = _sweep(self.plan)
        _remove_tree(workdir)
        done: dict[str, Any] = {
            "k": "done",
            "killed_for": killed_for,
            "exit_code": os.waitstatus_to_exitcode(status),
            "cpu_ms": round((usage.ru_utime + usage.ru_stime) * 1e3, 3),
            "max_rss_kb": usage.ru_maxrss,
            "wall_ms": round((time.monotonic() - started) * 1e3, 3),
            "strays": strays,
            "seq": self.seq,
        }
        return done

    def _relay(self, reader: wire.FrameReader, chunk: bytes) -> None:
        reader.feed(chunk)
        for frame in reader.frames():
            wire.write_frame(1, {"k": "rec", "r": frame})
            self.frames += 1

    def _watch(self, pid: int, read_fd: int, started: float) -> str | None:
        """Relay frames until the child ends; the reason to kill it, or None."""
        reader = wire.FrameReader(max_frame=self.max_frame)
        sample_end = started + self.budget_s
        test_end = min(started + self.per_test_s, sample_end)
        exit_fd = _exit_watch(pid)
        watched = [read_fd, 0] + ([exit_fd] if exit_fd is not None else [])
        try:
            while True:
                remaining = test_end - time.monotonic()
                if remaining <= 0:
                    return "timeout"
                wait = remaining if exit_fd is not None else min(remaining, _POLL_S)
                ready, _, _ = select.select(watched, [], [], wait)
                if read_fd in ready:
                    chunk = os.read(read_fd, 1 << 16)
                    if chunk:
                        before = self.frames
                        self._relay(reader, chunk)
                        if self.frames != before:
                            test_end = min(time.monotonic() + self.per_test_s, sample_end)
                    else:
                        watched.remove(read_fd)
                if 0 in ready:
                    self.control.poll()
                    if self.control.closed:
                        return "service_gone"
                    if self.control.stop_requested(self.seq):
                        return "stopped"
                if (exit_fd in ready) if exit_fd is not None else _has_exited(pid):
                    _kill_group(pid)  # grandchildren may still hold the pipe open
                    self._drain(reader, read_fd)
                    return None
        except wire.FrameError:
            return "protocol"
        finally:
            if exit_fd is not None:
                os.close(exit_fd)

    def _drain(self, reader: wire.FrameReader, read_fd: int) -> None:
        """Relay what the exited child left in the pipe, without waiting for more."""
        os.set_blocking(read_fd, False)
        while True:
            try:
                chunk = os.read(read_fd, 1 << 16)
            except BlockingIOError:
                return
            if not chunk:
                return
            self._relay(reader, chunk)


def _exit_watch(pid: int) -> int | None:
    """A descriptor that becomes readable when `pid` exits (pidfd), or None."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def _has_exited(pid: int) -> bool:
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def _harden(config: dict[str, Any]) -> dict[str, Any]:
    """Turn on what protects the zygote itself; report which layers took."""
    layers: dict[str, Any] = {"uid_drop": config.get("uid") is not None}
    layers["subreaper"] = _prctl(36, 1)  # PR_SET_CHILD_SUBREAPER
    layers["non_dumpable"] = _prctl(4, 0)  # PR_SET_DUMPABLE
    return layers


def _prctl(option: int, value: int) -> bool:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(option, value, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def main() -> None:
    control = _Control()
    config = control.next()
    if not isinstance(config, dict) or config.get("k") != "config":
        sys.exit("zygote: expected a config frame first")
    os.environ.clear()
    missing = _preload()
    plan = dict(config)
    plan["layers"] = _harden(config)
    devnull = os.open(os.devnull, os.O_RDWR)
    wire.write_frame(1, {"k": "ready", "pid": os.getpid(), "layers": plan["layers"],
                         "missing": missing})
    while True:
        message = control.next()
        if message is None or message.get("k") == "exit":
            return
        if message.get("k") == "run":
            job = _Job(message["job"], plan, control, devnull, message.get("seq"))
            wire.write_frame(1, job.run())
