"""Length-prefixed JSON frames over pipes, capped in size.

Every message between the service, the zygote and a child is one frame: a
4-byte big-endian length, then that many bytes of UTF-8 JSON. Nothing is ever
pickled. A reader refuses a frame longer than its cap before reading it, so a
hostile child cannot make its reader buffer without bound.
"""

from __future__ import annotations

import json
import os
import struct
from typing import Any

__all__ = ["FrameError", "FrameReader", "dump_frame", "write_frame"]

_HEADER = struct.Struct(">I")


class FrameError(ValueError):
    """A frame is too long or not valid JSON."""


def dump_frame(message: Any) -> bytes:
    """Serialise one message as a frame."""
    body = json.dumps(message, separators=(",", ":"), allow_nan=False).encode("utf-8")
    return _HEADER.pack(len(body)) + body


def write_frame(fd: int, message: Any) -> None:
    """Write one whole frame to a blocking file descriptor."""
    data = memoryview(dump_frame(message))
    while data:
        written = os.write(fd, data)
        data = data[written:]


class FrameReader:
    """Cut frames out of a byte stream fed in arbitrary chunks.

    >>> reader = FrameReader(max_frame=1024)
    >>> reader.feed(dump_frame({"k": 1}) + dump_frame([2]))
    >>> reader.frames()
    [{'k': 1}, [2]]
    """

    def __init__(self, *, max_frame: int) -> None:
        self.max_frame = max_frame
        self._buffer = bytearray()

    def feed(self, chunk: bytes) -> None:
        self._buffer += chunk

    def pending(self) -> int:
        """Bytes received but not yet returned as a frame."""
        return len(self._buffer)

    def frames(self) -> list[Any]:
        """Every complete frame received so far; raise FrameError on a bad one."""
        out: list[Any] = []
        while len(self._buffer) >= _HEADER.size:
            (length,) = _HEADER.unpack_from(self._buffer)
            if length > self.max_frame:
                raise FrameError(f"frame of {length} bytes exceeds the cap of {self.max_frame}")
            end = _HEADER.size + length
            if len(self._buffer) < end:
                break
            body = bytes(self._buffer[_HEADER.size:end])
            del self._buffer[:end]
            try:
                out.append(json.loads(body))
            except (ValueError, RecursionError) as exc:
                raise FrameError(f"frame is not valid JSON: {type(exc).__name__}") from None
        return out
