"""The zygote: a clean, warm process that forks one child per job.

Started by the service with an empty environment in a bare interpreter
(`python -S`), it never holds a secret or an expected value: it only ever
receives programs and test inputs. It preloads the standard-library modules
generated code tends to use, so a forked child imports them without touching
the disk (the child may not open files at all), then serves jobs on fd 0/1:

    service -> zygote   {"k": "config", ...} once, then {"k": "run", "seq": n, "job": {...}},
                        {"k": "stop", "seq": n} while a job runs
    zygote -> service   {"k": "ready", "layers": {...}} once, then per job any number of
                        {"k": "rec", "r": <child frame>} and one {"k": "done", ...}

The child's frames are wrapped, never passed through as the zygote's own, so
a child cannot forge the end of its job. Deadlines are enforced here, outside
the child: on a per-test or per-sample deadline the child's whole process
group is killed, and after every job whatever it left behind is removed.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import select
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from . import layers, sweep, wire
from .cgroups import JobCgroup
from .child import run_child, run_probe

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
_PROBE_TIMEOUT_S = 5.0


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


class _Zygote:
    """The zygote's state: its plan (config plus layers), /dev/null, cgroup, control."""

    def __init__(self, plan: dict[str, Any], control: _Control) -> None:
        self.plan = plan
        self.control = control
        self.devnull = os.open(os.devnull, os.O_RDWR)
        self.cgroup: JobCgroup | None = None

    def fork_child(self, workdir: str, body: Callable[[int], None]) -> tuple[int, int]:
        """Fork a child that runs `body(result_fd)`; return its pid and the read end."""
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_fd)
            body(write_fd)
            os._exit(0)  # body never returns; this is a last guard
        os.close(write_fd)
        with contextlib.suppress(OSError):  # the child may have done it already
            os.setpgid(pid, pid)
        return pid, read_fd

    def new_workdir(self) -> str:
        workdir = tempfile.mkdtemp(prefix="job-", dir=self.plan["tmp"])
        if self.plan.get("uid") is not None:
            os.chown(workdir, self.plan["uid"], self.plan["gid"])
        return workdir

    def cleanup(self, pid: int, snapshot: sweep.TempSnapshot | None, workdir: str) -> int:
        """Kill what the job left, remove its files; return how many processes were killed."""
        sweep.kill_group(pid)
        killed = self.cgroup.kill_all() if self.cgroup is not None else 0
        if self.plan.get("uid") is not None and not self.plan["layers"].get("subreaper"):
            sweep.kill_uid(self.plan["uid"])
        killed += sweep.reap_strays()
        if snapshot is not None:
            snapshot.remove_new()
        sweep.remove_tree(workdir)
        return killed

    def run_probe(self) -> dict[str, Any]:
        """Fork a child through the job entry and let it report what it can still do."""
        service = self.plan.get("service_pid")

        def launch(payload: Callable[[], str]) -> str:
            workdir = self.new_workdir()
            pid, read_fd = self.fork_child(workdir, lambda fd: run_probe(
                self.plan, payload, result_fd=fd, devnull_fd=self.devnull, workdir=workdir,
                cgroup=self.cgroup))
            reader = wire.FrameReader(max_frame=1 << 20)
            deadline = time.monotonic() + _PROBE_TIMEOUT_S
            found = ""
            while time.monotonic() < deadline:
                ready, _, _ = select.select([read_fd], [], [], deadline - time.monotonic())
                chunk = os.read(read_fd, 1 << 16) if ready else b""
                if not chunk:
                    break
                reader.feed(chunk)
                for frame in reader.frames():
                    found = frame.get("found", "") if isinstance(frame, dict) else ""
            os.close(read_fd)
            self.cleanup(pid, None, workdir)
            return found

        pid_visible = isinstance(service, int) and not self.plan["layers"].get("pidns")
        return layers.probe(launch, self.plan["layers"], service if pid_visible else None)


class _Job:
    """One job: fork the child, relay its frames, enforce its deadlines."""

    def __init__(self, zygote: _Zygote, job: dict[str, Any], seq: Any) -> None:
        self.zygote = zygote
        self.job = job
        self.seq = seq
        limits = job["limits"]
        self.per_test_s = float(limits["timeout_s"])
        self.budget_s = float(job["budget_s"])
        self.max_frame = 8 * int(limits["output_bytes"]) + (1 << 20)
        self.frames = 0

    def run(self) -> dict[str, Any]:
        zygote, plan = self.zygote, self.zygote.plan
        started = time.monotonic()
        limits = self.job["limits"]
        ooms = 0
        if zygote.cgroup is not None:
            try:
                zygote.cgroup.set_limits(memory_mb=int(limits["memory_mb"]),
                                         processes=int(limits["processes"]) + 1)
                ooms = zygote.cgroup.oom_kills()
            except OSError:  # the cgroup went away; the other layers stand alone
                zygote.cgroup = None
        # Only a uid of the children's own proves who made a new entry in /tmp;
        # with a shared uid another process's temp folder would look the same.
        own_uid = plan.get("uid")
        snapshot = (sweep.TempSnapshot(own_uid)
                    if own_uid is not None and not plan["layers"].get("seccomp") else None)
        workdir = zygote.new_workdir()
        pid, read_fd = zygote.fork_child(workdir, lambda fd: run_child(
            self.job, plan, result_fd=fd, devnull_fd=zygote.devnull, workdir=workdir,
            max_frame=self.max_frame, cgroup=zygote.cgroup))
        try:
            killed_for = self._watch(pid, read_fd, started)
        finally:
            sweep.kill_group(pid)
            _, status, usage = os.wait4(pid, 0)
            os.close(read_fd)
        strays = zygote.cleanup(pid, snapshot, workdir)
        oom = zygote.cgroup is not None and zygote.cgroup.oom_kills() > ooms
        return {
            "k": "done",
            "seq": self.seq,
            "killed_for": killed_for or ("memory" if oom else None),
            "exit_code": os.waitstatus_to_exitcode(status),
            "cpu_ms": round((usage.ru_utime + usage.ru_stime) * 1e3, 3),
            "max_rss_kb": usage.ru_maxrss,
            "wall_ms": round((time.monotonic() - started) * 1e3, 3),
            "strays": strays,
        }

    def _relay(self, reader: wire.FrameReader, chunk: bytes) -> None:
        reader.feed(chunk)
        for frame in reader.frames():
            wire.write_frame(1, {"k": "rec", "r": frame})
            self.frames += 1

    def _watch(self, pid: int, read_fd: int, started: float) -> str | None:
        """Relay frames until the child ends; the reason to kill it, or None."""
        reader = wire.FrameReader(max_frame=self.max_frame)
        control = self.zygote.control
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
                    control.poll()
                    if control.closed:
                        return "service_gone"
                    if control.stop_requested(self.seq):
                        return "stopped"
                if (exit_fd in ready) if exit_fd is not None else _has_exited(pid):
                    sweep.kill_group(pid)  # grandchildren may still hold the pipe open
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


def _setup(config: dict[str, Any]) -> _Zygote:
    """From the config frame to a hardened, probed zygote."""
    plan = dict(config)
    host_pid = os.getpid()  # unique on the host, unlike our pid inside a new PID namespace
    namespaces = layers.enter_namespaces(config)
    if namespaces.get("mountns"):
        # The service's temp folder is hidden under the fresh /tmp: make our own.
        plan["tmp"] = tempfile.mkdtemp(prefix="verifier-", dir="/tmp")
        os.chmod(plan["tmp"], 0o711)
    zygote = _Zygote(plan, _CONTROL)
    if os.geteuid() == 0 and config.get("cgroup", True):
        cgroup = JobCgroup(f"verifier-zygote-{host_pid}")
        zygote.cgroup = cgroup if cgroup.available else None
    plan["layers"] = {**layers.harden(config), **namespaces,
                      "cgroup": zygote.cgroup is not None}
    plan["layers"] = zygote.run_probe()
    return zygote


_CONTROL = _Control()


def main() -> None:
    config = _CONTROL.next()
    if not isinstance(config, dict) or config.get("k") != "config":
        sys.exit("zygote: expected a config frame first")
    os.environ.clear()
    missing = _preload()
    zygote = _setup(config)
    wire.write_frame(1, {"k": "ready", "pid": os.getpid(), "layers": zygote.plan["layers"],
                         "missing": missing})
    while True:
        message = _CONTROL.next()
        if message is None or message.get("k") == "exit":
            if zygote.cgroup is not None:
                zygote.cgroup.remove()
            return
        if message.get("k") == "run":
            wire.write_frame(1, _Job(zygote, message["job"], message.get("seq")).run())

