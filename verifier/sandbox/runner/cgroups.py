"""A cgroup per zygote for its jobs' memory and process count (root only).

Where the service runs as root and the cgroup file system is writable, each
zygote makes one cgroup (v2, or the v1 `memory` and `pids` hierarchies)
beside its own, sets the job's limits before each fork, and the child joins
it before it drops privileges. Memory here also counts what RLIMIT_AS does
not: in-memory files and page cache. After the job, every process still in
the cgroup is killed.
"""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path

__all__ = ["JobCgroup"]

_ROOT = Path("/sys/fs/cgroup")
_MEMORY_SLACK_MB = 64
"""Above RLIMIT_AS, so a program meets a MemoryError before the OOM killer."""


def _own_path(controller: str) -> str | None:
    """This process's cgroup path in a v1 hierarchy, or in v2 when `controller` is ''."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(",") or (controller == "" and controllers == ""):
            return path
    return None


class JobCgroup:
    """The cgroup a zygote's children join; `available` is False when none could be made."""

    def __init__(self, name: str) -> None:
        self.dirs: dict[str, Path] = {}
        self.v2 = (_ROOT / "cgroup.controllers").exists()
        wanted = {"": ""} if self.v2 else {"memory": "memory", "pids": "pids"}
        for key, controller in wanted.items():
            own = _own_path(controller)
            if own is None:
                continue
            base = _ROOT / key if key else _ROOT
            target = base / own.lstrip("/") / name
            try:
                target.mkdir(exist_ok=True)
            except OSError:
                continue
            self.dirs[key] = target
        self.available = len(self.dirs) == len(wanted) and self._writable()

    def _writable(self) -> bool:
        try:
            self.set_limits(memory_mb=1 << 20, processes=1 << 20)
        except OSError:
            return False
        return True

    def _write(self, key: str, name: str, value: str) -> None:
        (self.dirs[key] / name).write_text(value)

    def set_limits(self, *, memory_mb: int, processes: int) -> None:
        memory = str((memory_mb + _MEMORY_SLACK_MB) << 20)
        if self.v2:
            self._write("", "memory.max", memory)
            self._write("", "pids.max", str(processes))
        else:
            self._write("memory", "memory.limit_in_bytes", memory)
            self._write("pids", "pids.max", str(processes))

    def join(self) -> None:
        """Move the calling process in (the child does this before dropping root)."""
        for path in self.dirs.values():
            (path / "cgroup.procs").write_text(str(os.getpid()))

    def kill_all(self) -> int:
        """Kill every process in the cgroup (the zygote itself is not in it)."""
        killed = 0
        for path in self.dirs.values():
            with contextlib.suppress(OSError):
                for line in (path / "cgroup.procs").read_text().split():
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(int(line), signal.SIGKILL)
                        killed += 1
        return killed

    def remove(self) -> None:
        for path in self.dirs.values():
            with contextlib.suppress(OSError):
                path.rmdir()

    def oom_kills(self) -> int:
        """How many processes the kernel's OOM killer has killed in this cgroup so far."""
        key, name = ("", "memory.events") if self.v2 else ("memory", "memory.oom_control")
        path = self.dirs.get(key)
        if path is None:
            return 0
        try:
            for line in (path / name).read_text().splitlines():
                field, _, value = line.partition(" ")
                if field == "oom_kill":
                    return int(value)
        except (OSError, ValueError):
            pass
        return 0
