"""One warm container whose main process is a zygote, reached over Docker's attach stream.

The container runs the same zygote as the process backend (`runner/zygote.py`,
copied into the image), so the frames, the per-job fork, deadlines, cleanup
and the isolation probe are the same code. The transport is the container's
own stdin and stdout through the Docker API's attach socket: it needs no
network, no shared folder and no port, works with a remote engine, and ends
when the container does. With tty off, Docker wraps what the container
writes in 8-byte headers (stream, 0, 0, 0, length); `Demux` takes them off.
What the service writes goes in unwrapped.

The service's stdin half stays open while the container lives; if the
service dies, Docker closes the container's stdin, the zygote reads the end
and exits, and the container removes itself.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import select
import socket
import struct
from dataclasses import dataclass
from typing import Any

from ..errors import clip
from .link import ZygoteFailed, ZygoteLink

__all__ = ["JOBS_DIR", "ContainerSpec", "Demux", "WarmContainer"]

JOBS_DIR = "/tmp/verifier"
"""Where the zygote makes its job folders: below /tmp, never in it, because where seccomp is
off the zygote's sweep counts new entries of /tmp as a program's leftovers."""
_BOOT = (f"import os, sys; os.makedirs({JOBS_DIR!r}, mode=0o700, exist_ok=True); "
         "sys.path.insert(0, '/opt/verifier'); from runner.zygote import main; main()")
_HEADER = struct.Struct(">BxxxI")
_STDOUT = 1
OWNER_LABEL = "verifier.sandbox.owner"
"""`<hostname>:<pid>` of the service that started a container; see DockerSandbox."""


class Demux:
    """Strip Docker's stream headers; keep what the container wrote to stdout.

    >>> stdout, stderr = b"\\x01\\0\\0\\0\\0\\0\\0\\x02hi", b"\\x02\\0\\0\\0\\0\\0\\0\\x01e"
    >>> Demux().feed(stdout + stderr)
    b'hi'
    """

    def __init__(self) -> None:
        self._header = b""
        self._stream = 0
        self._left = 0

    def feed(self, data: bytes) -> bytes:
        """The stdout bytes in `data`, however it was cut; headers may span calls."""
        out = bytearray()
        view = memoryview(data)
        while view:
            if self._left == 0:
                need = _HEADER.size - len(self._header)
                self._header += bytes(view[:need])
                view = view[need:]
                if len(self._header) == _HEADER.size:
                    self._stream, self._left = _HEADER.unpack(self._header)
                    self._header = b""
                continue
            take = view[:self._left]
            if self._stream == _STDOUT:
                out += take
            self._left -= len(take)
            view = view[len(take):]
        return bytes(out)


@dataclass(frozen=True, slots=True, kw_only=True)
class ContainerSpec:
    """How every container of a pool is started (see DockerOptions for the meanings)."""

    image: str
    language: str
    memory_mb: int
    pids: int
    tmpfs_mb: int
    uid: int
    cpus: float | None
    name_prefix: str
    owner: str


def create_args(spec: ContainerSpec, *, index: int) -> dict[str, Any]:
    """Arguments of `containers.create`: the isolation every container gets."""
    return {
        "image": spec.image,
        "command": ["python3", "-S", "-P", "-B", "-c", _BOOT],
        "name": f"{spec.name_prefix}-{spec.language}-{os.getpid()}-{index}-{secrets.token_hex(3)}",
        "stdin_open": True,  # with attach, Docker closes it when our end goes
        "tty": False,
        "user": f"{spec.uid}:{spec.uid}",
        "environment": {},
        "working_dir": "/tmp",
        "hostname": "sandbox",
        "network_mode": "none",
        "read_only": True,
        # exec: the compiled program runs from its work folder under /tmp.
        "tmpfs": {"/tmp": f"rw,exec,nosuid,nodev,size={spec.tmpfs_mb}m,mode=1777"},
        "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges"],
        "mem_limit": f"{spec.memory_mb}m",
        "memswap_limit": f"{spec.memory_mb}m",  # no swap beyond the memory limit
        "pids_limit": spec.pids,
        "nano_cpus": int(spec.cpus * 1e9) if spec.cpus else None,
        "ipc_mode": "private",
        "labels": {"verifier.sandbox": "1", OWNER_LABEL: spec.owner},
        "log_config": {"type": "json-file", "config": {"max-size": "1m", "max-file": "1"}},
        "auto_remove": True,
    }


class WarmContainer(ZygoteLink):
    """A zygote in a container: the process backend's job protocol over the attach socket."""

    def __init__(self, client: Any, spec: ContainerSpec, config: dict[str, Any], *,
                 index: int, start_timeout_s: float) -> None:
        super().__init__(index=index)
        self._demux = Demux()
        self.container: Any = None
        try:
            self.container = client.containers.create(**create_args(spec, index=index))
            self._attached = self.container.attach_socket(
                params={"stdin": 1, "stdout": 1, "stream": 1})
            self._socket: socket.socket = self._attached._sock
            self._socket.settimeout(None)  # blocking: frames are written whole
            self.container.start()
        except Exception as exc:  # the SDK raises DockerException and requests' errors
            self.kill()
            raise ZygoteFailed(f"cannot start a {spec.language} container: {clip(exc)}",
                               suspect=False) from exc
        self._in = self._socket.fileno()
        self._handshake(config, timeout_s=start_timeout_s)

    def _read_chunk(self, timeout_s: float) -> bytes | None:
        ready, _, _ = select.select([self._socket], [], [], timeout_s)
        if not ready:
            return None
        try:
            data = self._socket.recv(1 << 16)
        except OSError:
            return b""
        if not data:
            return b""
        return self._demux.feed(data) or None

    def alive(self) -> bool:
        """Whether the zygote is still there; cheap: no API call, only the socket."""
        with contextlib.suppress(OSError):
            ready, _, _ = select.select([self._socket], [], [], 0)
            if not ready:
                return True
        return False  # between jobs the zygote says nothing: data or an end means trouble

    def kill(self) -> None:
        if self.container is not None:
            with contextlib.suppress(Exception):  # already gone, or being removed
                self.container.remove(force=True)
        # The SDK hands over a SocketIO around the socket: both hold the descriptor.
        for stream in ("_attached", "_socket"):
            with contextlib.suppress(AttributeError, OSError):
                getattr(self, stream).close()

    def close(self) -> None:
        with contextlib.suppress(ZygoteFailed):
            self._send({"k": "exit"})
        self.kill()

    def inspect(self) -> dict[str, Any]:
        """The engine's view of the container (HostConfig, Config), for the layer report."""
        self.container.reload()
        attrs: dict[str, Any] = self.container.attrs
        return attrs
