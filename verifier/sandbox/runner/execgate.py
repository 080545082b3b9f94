"""The exec gate: a native program's process may exec exactly once, then never again.

A C++ binary or Node.js must be exec'd, but the program that then runs must
not exec anything else. A rule on execveat's descriptor argument cannot say
that: with an absolute path the kernel ignores the descriptor. So the driver
installs a seccomp filter on itself that hands every execve/execveat of its
descendants to a listener it holds (SECCOMP_RET_USER_NOTIF, Linux 5.5+), and
answers: the first exec of the process it is waiting for (its own code, in
the child, before the program exists) continues; every other one fails with
EPERM. After the driver is gone, the kernel fails them with ENOSYS.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os

from . import seccomp

__all__ = ["ExecGate"]

_CONTINUE = 1  # SECCOMP_USER_NOTIF_FLAG_CONTINUE


class _Data(ctypes.Structure):
    _fields_ = [("nr", ctypes.c_int32), ("arch", ctypes.c_uint32),
                ("instruction_pointer", ctypes.c_uint64), ("args", ctypes.c_uint64 * 6)]


class _Notif(ctypes.Structure):
    _fields_ = [("id", ctypes.c_uint64), ("pid", ctypes.c_uint32), ("flags", ctypes.c_uint32),
                ("data", _Data)]


class _Response(ctypes.Structure):
    _fields_ = [("id", ctypes.c_uint64), ("val", ctypes.c_int64), ("error", ctypes.c_int32),
                ("flags", ctypes.c_uint32)]


def _iowr(number: int, size: int) -> int:
    return (3 << 30) | (size << 16) | (ord("!") << 8) | number


_RECV = _iowr(0, ctypes.sizeof(_Notif))
_SEND = _iowr(1, ctypes.sizeof(_Response))


class ExecGate:
    """Holds the listener; `expect(pid)` lets that process's next exec through, once.

    >>> gate = ExecGate.install()  # doctest: +SKIP
    >>> gate.expect(pid); ...; gate.serve()  # when gate.fd is readable  # doctest: +SKIP
    """

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._expected: int | None = None
        self._libc = ctypes.CDLL(None, use_errno=True)
        self.refused = 0

    @classmethod
    def install(cls) -> ExecGate | None:
        """Filter this process's (future children's) execs through a new gate; None if refused."""
        fd = seccomp.install_listener(seccomp.exec_listener_filter())
        return None if fd is None else cls(fd)

    def expect(self, pid: int) -> None:
        self._expected = pid

    def serve(self) -> None:
        """Answer one pending exec (call when `fd` is readable)."""
        notif = _Notif()
        if self._libc.ioctl(self.fd, ctypes.c_ulong(_RECV), ctypes.byref(notif)) != 0:
            return  # the caller died meanwhile (ENOENT) or a signal interrupted us
        allow = self._expected is not None and notif.pid == self._expected
        if allow:
            self._expected = None
        else:
            self.refused += 1
        response = _Response(notif.id, 0, 0 if allow else -errno.EPERM,
                             _CONTINUE if allow else 0)
        if self._libc.ioctl(self.fd, ctypes.c_ulong(_SEND), ctypes.byref(response)) != 0:
            failure = ctypes.get_errno()
            if allow and failure != errno.ENOENT:
                # A kernel before 5.5 has no CONTINUE: our own exec would hang until its
                # timeout, a verdict on the program for a gap of ours. Fail loudly instead.
                raise OSError(failure, "the exec gate could not let the program start")

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)
