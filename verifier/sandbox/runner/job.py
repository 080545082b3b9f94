"""One job in the zygote: the child it runs in, its deadlines, its frames.

The child's frames are relayed wrapped ({"k": "rec", "r": ...}), never as the
zygote's own, so a child cannot forge the end of its job. Deadlines per test
and per sample are enforced here, outside the child, by killing its process
group; the zygote answers as soon as the child's end frame arrives.
"""

from __future__ import annotations

import contextlib
import os
import select
import time
from dataclasses import dataclass
from typing import Any

from . import sweep, wire
from .control import Control

__all__ = ["Job", "Spare", "write_all"]

_POLL_S = 0.005


@dataclass(slots=True)
class Spare:
    """A child forked ahead of its job, waiting on its job pipe."""

    pid: int
    results: int
    job: int
    workdir: str
    snapshot: sweep.TempSnapshot | None


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


class Job:
    """One job: relay the child's frames, enforce its deadlines, answer as soon as it ends."""

    def __init__(self, spare: Spare, job: dict[str, Any], control: Control, seq: Any) -> None:
        self.spare = spare
        self.control = control
        self.seq = seq
        limits = job["limits"]
        self.per_test_s = float(limits["timeout_s"])
        self.budget_s = float(job["budget_s"])
        self.max_frame = 8 * int(limits["output_bytes"]) + (1 << 20)
        self.frames = 0
        self.usage: dict[str, Any] = {}

    def run(self) -> dict[str, Any]:
        started = time.monotonic()
        killed_for, ended = self._watch(started)
        exit_code = None
        if not ended:
            # It died or was killed before its end frame: its exit status tells
            # why (a signal, os._exit), so wait for it before answering.
            sweep.kill_group(self.spare.pid)
            with contextlib.suppress(ChildProcessError):
                _, status, usage = os.wait4(self.spare.pid, 0)
                exit_code = os.waitstatus_to_exitcode(status)
                self.usage = {"cpu_ms": round((usage.ru_utime + usage.ru_stime) * 1e3, 3),
                              "max_rss_kb": usage.ru_maxrss}
        return {
            "k": "done",
            "seq": self.seq,
            "killed_for": killed_for,
            "exit_code": exit_code,
            "cpu_ms": _number(self.usage.get("cpu_ms")),
            "max_rss_kb": int(_number(self.usage.get("max_rss_kb"))),
            "wall_ms": round((time.monotonic() - started) * 1e3, 3),
        }

    def _relay(self, reader: wire.FrameReader, chunk: bytes) -> bool:
        """Pass frames on; True once the child's end frame went by."""
        reader.feed(chunk)
        ended = False
        for frame in reader.frames():
            wire.write_frame(1, {"k": "rec", "r": frame})
            self.frames += 1
            if isinstance(frame, dict) and frame.get("k") == "end":
                self.usage = frame  # the child's own figures: metrics only, never verdicts
                ended = True
        return ended

    def _watch(self, started: float) -> tuple[str | None, bool]:
        """Relay frames until the child ends; (reason it was killed, whether it ended)."""
        pid, read_fd = self.spare.pid, self.spare.results
        reader = wire.FrameReader(max_frame=self.max_frame)
        sample_end = started + self.budget_s
        test_end = min(started + self.per_test_s, sample_end)
        exit_fd = _exit_watch(pid)
        watched = [read_fd, 0] + ([exit_fd] if exit_fd is not None else [])
        try:
            while True:
                remaining = test_end - time.monotonic()
                if remaining <= 0:
                    return "timeout", False
                wait = remaining if exit_fd is not None else min(remaining, _POLL_S)
                ready, _, _ = select.select(watched, [], [], wait)
                if read_fd in ready:
                    chunk = os.read(read_fd, 1 << 16)
                    if chunk:
                        before = self.frames
                        if self._relay(reader, chunk):
                            return None, True
                        if self.frames != before:
                            test_end = min(time.monotonic() + self.per_test_s, sample_end)
                    else:
                        watched.remove(read_fd)
                if 0 in ready:
                    self.control.poll()
                    if self.control.closed:
                        return "service_gone", False
                    if self.control.stop_requested(self.seq):
                        return "stopped", False
                if (exit_fd in ready) if exit_fd is not None else _has_exited(pid):
                    sweep.kill_group(pid)  # grandchildren may still hold the pipe open
                    return None, self._drain(reader, read_fd)
        except wire.FrameError:
            return "protocol", False
        finally:
            if exit_fd is not None:
                os.close(exit_fd)

    def _drain(self, reader: wire.FrameReader, read_fd: int) -> bool:
        """Relay what the exited child left in the pipe; True if its end frame was there."""
        os.set_blocking(read_fd, False)
        ended = False
        while True:
            try:
                chunk = os.read(read_fd, 1 << 16)
            except BlockingIOError:
                return ended
            if not chunk:
                return ended
            ended = self._relay(reader, chunk) or ended


def _number(value: Any) -> float:
    return float(value) if type(value) in (int, float) and 0 <= value < 1e12 else 0.0


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
