"""Landlock: confine a process's file access to a few folders, without privilege.

The compiler and Node.js must open files, so their open-file limit cannot
be zero; where the kernel has Landlock (Linux 5.13+), they are confined to
the system folders (read and exec) and their work folder, so that neither a
crafted `#include` nor `require('fs')` reaches a stored suite or the
service's files. Where it is missing, `confine` reports False and the other
layers stand alone (SECURITY.md names the gap).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import stat
from collections.abc import Iterable

__all__ = ["abi", "confine"]

_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446  # the same on every architecture
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38

_EXECUTE, _WRITE_FILE, _READ_FILE, _READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_ABI1_ALL = (1 << 13) - 1  # execute ... make_sym: every right of the first version
_REFER, _TRUNCATE = 1 << 13, 1 << 14  # versions 2 and 3
_FILE_RIGHTS = _EXECUTE | _WRITE_FILE | _READ_FILE | _TRUNCATE
_READ = _EXECUTE | _READ_FILE | _READ_DIR


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def abi() -> int:
    """The Landlock version this kernel offers; 0 when it has none (or it is disabled)."""
    try:
        version = int(_libc().syscall(_CREATE_RULESET, None, 0, _CREATE_RULESET_VERSION))
    except (OSError, AttributeError):
        return 0
    return max(version, 0)


def _handled(version: int) -> int:
    return _ABI1_ALL | (_REFER if version >= 2 else 0) | (_TRUNCATE if version >= 3 else 0)


def _add(libc: ctypes.CDLL, ruleset: int, path: str, rights: int, handled: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # a folder this system lacks (say /lib32) needs no rule
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            rights &= _FILE_RIGHTS  # directory rights on a file are refused
        attr = _PathBeneathAttr(rights & handled, fd)
        if libc.syscall(_ADD_RULE, ruleset, _RULE_PATH_BENEATH, ctypes.byref(attr), 0) != 0:
            raise OSError(ctypes.get_errno(), f"landlock_add_rule {path}")
    finally:
        os.close(fd)


def confine(*, read: Iterable[str], write: Iterable[str]) -> bool:
    """Allow only reading (and exec) beneath `read` and everything beneath `write`.

    Applies to this process and everything it execs or forks afterwards;
    False when the kernel has no Landlock or refused the ruleset.
    """
    version = abi()
    if version < 1:
        return False
    handled = _handled(version)
    libc = _libc()
    attr = _RulesetAttr(handled)
    ruleset = int(libc.syscall(_CREATE_RULESET, ctypes.byref(attr), ctypes.sizeof(attr), 0))
    if ruleset < 0:
        return False
    try:
        for path in read:
            _add(libc, ruleset, path, _READ, handled)
        for path in write:
            _add(libc, ruleset, path, handled, handled)
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            return False
        return int(libc.syscall(_RESTRICT_SELF, ruleset, 0)) == 0
    except OSError:
        return False
    finally:
        with contextlib.suppress(OSError):
            os.close(ruleset)
