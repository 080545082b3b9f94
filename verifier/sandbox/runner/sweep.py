"""Cleaning up after a job: processes it left, files it left, its work folder.

Each function is one layer, used where the platform grants it; the zygote
calls them after every job, so nothing reaches the next sample.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import stat
import time

__all__ = [
    "TempSnapshot",
    "children_of",
    "kill_group",
    "kill_strays",
    "kill_uid",
    "live_children",
    "process_table",
    "remove_tree",
]

_POLL_S = 0.002
TEMP_DIRS = ("/tmp", "/var/tmp", "/dev/shm")


def process_table() -> dict[int, tuple[int, int]]:
    """Every visible process: pid -> (parent pid, session id), read from /proc."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                data = handle.read()
        except OSError:  # it exited meanwhile
            continue
        # The command name may hold spaces and parentheses; the fields after
        # the last ')' are state, ppid, pgrp, session, ...
        fields = data[data.rfind(b")") + 2:].split()
        if len(fields) > 3:
            table[int(entry)] = (int(fields[1]), int(fields[3]))
    return table


def children_of(parent: int) -> list[int]:
    """Pids whose parent is `parent`."""
    return [pid for pid, (ppid, _) in process_table().items() if ppid == parent]


def kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def kill_uid(uid: int) -> None:
    """Kill every process of `uid`: a helper becomes that user and signals -1."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setuid(uid)
            os.kill(-1, signal.SIGKILL)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def _reap_exited() -> None:
    """Reap every child that has exited, without waiting for any."""
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if not pid:
            return


def live_children() -> set[int]:
    """This process's children now (zombies included), from /proc."""
    me = os.getpid()
    try:
        with open(f"/proc/{me}/task/{me}/children", "rb") as handle:
            return {int(pid) for pid in handle.read().split()}
    except OSError:  # a kernel without CONFIG_PROC_CHILDREN: scan /proc
        return set(children_of(me))


def kill_strays(known: set[int]) -> int:
    """Kill every child of this process that is not in `known`; return how many.

    The zygote is a child subreaper (or PID 1 of its own namespace), so every
    orphan of a job comes back to it (once the job's child has exited) and
    shows up here. `known` are children accounted for, if any.
    """
    _reap_exited()
    killed = 0
    for _ in range(100):
        strays = live_children() - known
        if not strays:
            return killed
        for pid in strays:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
                killed += 1
        time.sleep(_POLL_S)
        _reap_exited()
    return killed


def remove_tree(path: str) -> None:
    """Remove a work folder, best effort: it never raises.

    Cleanup must not kill the zygote; a folder that resists is left to the
    service's batch sweep, which removes folders of its zygotes' jobs.
    """
    try:
        os.rmdir(path)  # the usual case: the program could not create anything in it
        return
    except FileNotFoundError:
        return
    except OSError:
        pass
    # A program may have taken permissions away from folders it made: give
    # them back, top down (only inside the work folder), then remove it all.
    with contextlib.suppress(OSError):
        os.chmod(path, stat.S_IRWXU)
    for root, folders, _files in os.walk(path):
        for folder in folders:
            with contextlib.suppress(OSError):
                os.chmod(os.path.join(root, folder), stat.S_IRWXU)
    shutil.rmtree(path, ignore_errors=True)


class TempSnapshot:
    """What a program added to the shared temp folders, removed after its job.

    Only needed where the child filter (no mkdir, symlink, link, mknod) is
    missing: without descriptors a program can still create folders, links
    and fifos by path. Used only when children run as a uid of their own, so
    an entry owned by it that appeared during the job is the program's;
    under a shared uid it could be anyone's, and nothing is removed (the
    seccomp layer is what stops it there). Only kinds a program without
    descriptors can create are removed: a regular file with one link cannot
    be the program's.
    """

    def __init__(self, uid: int) -> None:
        self.uid = uid
        self.before = {folder: _names(folder) for folder in TEMP_DIRS}

    def remove_new(self) -> int:
        removed = 0
        for folder, before in self.before.items():
            for name in _names(folder) - before:
                path = os.path.join(folder, name)
                try:
                    info = os.lstat(path)
                except OSError:
                    continue
                if info.st_uid != self.uid:
                    continue
                if stat.S_ISDIR(info.st_mode):
                    remove_tree(path)
                elif stat.S_ISREG(info.st_mode) and info.st_nlink < 2:
                    continue
                else:
                    with contextlib.suppress(OSError):
                        os.unlink(path)
                removed += 1
        return removed


def _names(folder: str) -> set[str]:
    try:
        return set(os.listdir(folder))
    except OSError:
        return set()
