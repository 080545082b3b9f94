"""The zygote's control channel: frames from the service on fd 0.

Frames are queued, so none is lost when two arrive in one read; a stop
names the job it is for, so a late stop never reaches the next job.
"""

from __future__ import annotations

import os
from collections import deque
from typing import Any

from . import wire

__all__ = ["Control"]

_CONTROL_FRAME = 1 << 24


class Control:
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
