"""The service's end of the zygote protocol: frames, the handshake, jobs and pings.

A zygote (`runner/zygote.py`) is reached the same way whether it is a local
process (`process.py`) or the main process of a container (`container.py`);
only how bytes travel differs. A subclass opens the channel, sets `_in` (the
descriptor frames are written to) and implements `_read_chunk`, `alive`,
`kill` and `close`; everything the protocol means lives here.

Failures of the zygote itself (it died, hung or broke protocol) raise
`ZygoteFailed`; `suspect` is set when it failed while running a job, since a
hostile program that can signal its zygote may be the cause.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any

from ..errors import SandboxError
from .base import Job, ReportBuilder, RunReport, TestRecord
from .runner import wire

__all__ = ["ZygoteFailed", "ZygoteLink"]

_GRACE_S = 5.0
"""How long past a job's budget the service waits before declaring its zygote hung."""


class ZygoteFailed(SandboxError):
    """A zygote died, hung or broke protocol; `suspect` when a job was running."""

    def __init__(self, message: str, *, suspect: bool) -> None:
        super().__init__(message, transient=True)
        self.suspect = suspect


class ZygoteLink:
    """One zygote, as the service talks to it (see the module docstring)."""

    def __init__(self, *, index: int) -> None:
        self.index = index
        self.token = f"{index}-{secrets.token_hex(4)}"
        """Names this zygote's work folders (see ProcessSandbox.sweep)."""
        self._seq = 0
        self._reader = wire.FrameReader(max_frame=1 << 30)
        self._pending: list[Any] = []
        self._in = -1
        self.pid = 0
        self.layers: dict[str, Any] = {}
        self.missing: list[str] = []

    def _read_chunk(self, timeout_s: float) -> bytes | None:
        """Bytes from the zygote; b"" when it has gone, None when none came in time."""
        raise NotImplementedError

    def alive(self) -> bool:
        raise NotImplementedError

    def kill(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def _handshake(self, config: dict[str, Any], *, timeout_s: float) -> None:
        """Send the config frame and take the ready frame (also for the Docker backend)."""
        self._send(config)
        ready = self._receive(time.monotonic() + timeout_s, suspect=False)
        if not isinstance(ready, dict) or ready.get("k") != "ready":
            self.kill()
            raise ZygoteFailed("zygote did not report ready", suspect=False)
        self.pid = ready["pid"]
        self.layers = ready.get("layers", {})
        self.missing = ready.get("missing", [])

    def _send(self, message: Any) -> None:
        try:
            wire.write_frame(self._in, message)
        except OSError as exc:
            raise ZygoteFailed(f"zygote {self.index} is gone: {exc}", suspect=False) from exc

    def _receive(self, deadline: float, *, suspect: bool) -> Any:
        while not self._pending:
            left = deadline - time.monotonic()
            if left <= 0:
                self.kill()
                raise ZygoteFailed(f"zygote {self.index} stopped answering", suspect=suspect)
            chunk = self._read_chunk(left)
            if chunk is None:
                continue
            if not chunk:
                self.kill()
                raise ZygoteFailed(f"zygote {self.index} exited", suspect=suspect)
            self._reader.feed(chunk)
            try:
                self._pending.extend(self._reader.frames())
            except wire.FrameError as exc:
                self.kill()
                raise ZygoteFailed(f"zygote {self.index}: {exc}", suspect=suspect) from exc
        return self._pending.pop(0)

    def run(self, job: Job, *, budget_s: float,
            on_record: Callable[[TestRecord], bool] | None) -> RunReport:
        self._seq += 1
        seq = self._seq
        self._send({"k": "run", "seq": seq, "job": job.to_wire(budget_s=budget_s)})
        builder = ReportBuilder.for_job(job)
        deadline = time.monotonic() + budget_s + _GRACE_S
        stop_sent = False
        while True:
            message = self._receive(deadline, suspect=True)
            kind = message.get("k") if isinstance(message, dict) else None
            if kind == "done" and message.get("seq") == seq:
                return _finish(builder.report, message)
            if kind != "rec":
                self.kill()
                raise ZygoteFailed(f"zygote {self.index} sent {kind!r} during a job", suspect=True)
            record = builder.add(message.get("r"))
            wants_stop = builder.report.protocol_error is not None or (
                record is not None and on_record is not None and not on_record(record))
            if wants_stop and not stop_sent:
                self._send({"k": "stop", "seq": seq})
                stop_sent = True

    def ping(self, timeout_s: float = 10.0) -> int:
        """Wait until the zygote has cleaned up after its last job; the strays it found."""
        self._send({"k": "ping"})
        reply = self._receive(time.monotonic() + timeout_s, suspect=False)
        if not isinstance(reply, dict) or reply.get("k") != "pong":
            self.kill()
            raise ZygoteFailed(f"zygote {self.index} answered a ping with {reply!r:.80}",
                               suspect=False)
        strays = reply.get("strays")
        return strays if type(strays) is int and strays >= 0 else 0


def _finish(report: RunReport, done: dict[str, Any]) -> RunReport:
    killed_for = done.get("killed_for")
    report.killed_for = killed_for if isinstance(killed_for, str) else None
    if report.protocol_error is not None and report.killed_for == "stopped":
        report.killed_for = "protocol"
    exit_code = done.get("exit_code")
    report.exit_code = exit_code if type(exit_code) is int else None
    report.cpu_ms = float(done.get("cpu_ms", 0.0))
    report.wall_ms = float(done.get("wall_ms", 0.0))
    report.max_rss_kb = int(done.get("max_rss_kb", 0))
    return report
