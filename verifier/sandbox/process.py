"""The process backend: a pool of warm zygotes, one forked child per job.

Each worker is a zygote process (`runner/zygote.py`) started from a bare
interpreter with an empty environment. A job costs one fork of an already
warm process, not an interpreter start. The service never forks itself: it
holds the suites and their expected values, and a child forked from it would
hold them too.

Failures of the zygote itself (it died, hung, or could not start) raise
`SandboxError`; `suspect` is set when it failed while running a job, since
a hostile program that can signal its zygote may be the cause.
"""

from __future__ import annotations

import contextlib
import copy
import ctypes
import itertools
import logging
import os
import queue
import selectors
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import SandboxError
from ..isolation import missing, one_line
from .base import Job, RunReport, TestRecord
from .link import ZygoteFailed, ZygoteLink
from .runner import toolchains
from .runner.sweep import children_of, process_table

__all__ = ["ProcessOptions", "ProcessSandbox", "ZygoteFailed", "available_cpus"]

log = logging.getLogger("verifier.sandbox")
_RUNNER_PARENT = str(Path(__file__).resolve().parent)
_BOOT = "import sys; sys.path.insert(0, {path!r}); from runner.zygote import main; main()"


@dataclass(frozen=True, slots=True, kw_only=True)
class ProcessOptions:
    """How the process backend starts its zygotes.

    >>> ProcessOptions(no_new_files=False).python == sys.executable
    True
    """

    python: str = sys.executable
    tmp_root: str | None = None
    """Where per-job work folders go; the system temp folder by default."""
    sandbox_uid: int | None = None
    """First uid children drop to when the service runs as root (one per worker);
    None picks 61000. Ignored when not root: an unprivileged service cannot."""
    no_new_files: bool = True
    """Lower the child's open-file limit to zero, so it cannot open anything more."""
    seccomp: bool = True
    """Install the seccomp filters where the kernel allows."""
    namespaces: bool = True
    """As root: network, IPC, UTS, mount and PID namespaces for the zygotes."""
    cgroup: bool = True
    """As root: a cgroup per zygote for memory and process count."""
    drop_privileges: bool = True
    """As root: run children as an unprivileged uid of their own (one per worker)."""
    subreaper: bool = True
    """Make the zygote a child subreaper, so orphans of a job come back to it."""
    protect_service: bool = True
    """Make this process non-dumpable, so a same-uid child cannot read its memory or
    /proc/<pid>/environ (debuggers then need root)."""
    hide: tuple[str, ...] = ()
    """Folders (the suites) the children must not see, where a mount namespace exists."""
    require: frozenset[str] = frozenset()
    """Layers that must be present (strict mode); a zygote without one refuses to start."""
    start_timeout_s: float = 20.0


def available_cpus() -> int:
    """CPUs this process may use: affinity, then any cgroup CPU quota."""
    count = len(os.sched_getaffinity(0))
    quota = _cgroup_cpu_quota()
    if quota is not None:
        count = min(count, max(1, int(quota + 0.5)))
    return max(1, count)


def _cgroup_cpu_quota() -> float | None:
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        pass
    try:
        quota_us = int(Path("/sys/fs/cgroup/cpu/cpu.cfs_quota_us").read_text())
        period_us = int(Path("/sys/fs/cgroup/cpu/cpu.cfs_period_us").read_text())
    except (OSError, ValueError):
        return None
    return None if quota_us <= 0 else quota_us / period_us


class LocalZygote(ZygoteLink):
    """A zygote started here as a child process, reached over its stdin/stdout pipes."""

    def __init__(self, options: ProcessOptions, *, index: int, tmp_root: str) -> None:
        super().__init__(index=index)
        try:
            self.proc = subprocess.Popen(
                [options.python, "-S", "-P", "-B", "-c", _BOOT.format(path=_RUNNER_PARENT)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env={"PYTHONHASHSEED": "0"},
                cwd=tmp_root,
                start_new_session=True,
                close_fds=True,
            )
        except OSError as exc:
            raise ZygoteFailed(f"cannot start a zygote: {exc}", suspect=False) from exc
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._in = self.proc.stdin.fileno()
        self._out = self.proc.stdout.fileno()
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._out, selectors.EVENT_READ)
        self._handshake(_config(options, index=index, tmp_root=tmp_root, token=self.token),
                        timeout_s=options.start_timeout_s)

    def _read_chunk(self, timeout_s: float) -> bytes | None:
        if not self._selector.select(timeout_s):
            return None
        return os.read(self._out, 1 << 16)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        with contextlib.suppress(KeyError, ValueError, OSError):
            self._selector.close()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, 9)
        with contextlib.suppress(OSError):
            self.proc.kill()
        for stream in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)

    def close(self) -> None:
        with contextlib.suppress(ZygoteFailed):
            self._send({"k": "exit"})
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=2)
        self.kill()


def _config(options: ProcessOptions, *, index: int, tmp_root: str, token: str
            ) -> dict[str, Any]:
    config: dict[str, Any] = {
        "k": "config", "tmp": tmp_root, "index": index, "service_pid": os.getpid(),
        "token": token,
        "no_new_files": options.no_new_files, "seccomp": options.seccomp,
        "namespaces": options.namespaces, "cgroup": options.cgroup,
        "subreaper": options.subreaper,
        "hide": [str(Path(path).resolve()) for path in options.hide],
    }
    if os.geteuid() == 0 and options.drop_privileges:
        uid = (options.sandbox_uid if options.sandbox_uid is not None else 61000) + index
        config.update(uid=uid, gid=uid)
    elif os.geteuid() != 0:
        config["nproc_base"] = _count_user_tasks(os.geteuid())
    return config


def _session_members(session: int) -> dict[int, int]:
    """Pid -> parent pid of the processes whose session id is `session`."""
    return {pid: ppid for pid, (ppid, sid) in process_table().items() if sid == session}


def _make_non_dumpable() -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(4, 0, 0, 0, 0)) == 0  # PR_SET_DUMPABLE
    except (OSError, AttributeError):
        return False


def _count_user_tasks(uid: int) -> int:
    """Threads of `uid` now: RLIMIT_NPROC counts all of them, not just ours."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(fields.get("Uid", "-1").split()[0]) == uid:
            total += int(fields.get("Threads", "1"))
    return total


class _Slot:
    """A worker place: its index (which fixes its uid) and its zygote, if started."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.zygote: LocalZygote | None = None


class ProcessSandbox:
    """Run programs in children forked from a pool of warm zygotes.

    >>> with ProcessSandbox(workers=1) as sandbox:  # doctest: +SKIP
    ...     report = sandbox.run(job, budget_s=5.0)
    """

    def __init__(self, *, workers: int | None = None,
                 options: ProcessOptions | None = None) -> None:
        self.options = options or ProcessOptions()
        self._workers = workers or available_cpus()
        self._tmp_root = tempfile.mkdtemp(prefix="verifier-", dir=self.options.tmp_root)
        # Children of a root service run as other uids and must traverse this folder.
        os.chmod(self._tmp_root, 0o711)
        self._slots: queue.LifoQueue[_Slot] = queue.LifoQueue()
        self._every = [_Slot(index) for index in range(self._workers)]
        for slot in reversed(self._every):
            self._slots.put(slot)
        self._closed = False
        self._jobs = itertools.count()
        self.layers: dict[str, Any] = {}
        self.service_non_dumpable = self.options.protect_service and _make_non_dumpable()

    @property
    def workers(self) -> int:
        return self._workers

    @property
    def languages(self) -> frozenset[str]:
        """Python, and the native languages whose tools are installed on this host."""
        return frozenset(toolchains.available())

    def __enter__(self) -> ProcessSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def warm(self) -> None:
        """Start every zygote now rather than on first use."""
        taken = [self._slots.get() for _ in range(self._workers)]
        try:
            for slot in taken:
                self._ready(slot)
        finally:
            for slot in reversed(taken):
                self._slots.put(slot)

    def zygote_pids(self) -> list[int]:
        """Pids of the zygote processes running now, as seen from here.

        In a PID namespace a zygote is two processes: the one started here,
        and its child, PID 1 of the namespace, which serves the jobs.
        """
        outer = [slot.zygote.proc.pid for slot in self._every
                 if slot.zygote is not None and slot.zygote.alive()]
        inner = [pid for slot in self._every if slot.zygote is not None
                 and slot.zygote.layers.get("pidns") for pid in children_of(slot.zygote.proc.pid)]
        return outer + inner

    def _ready(self, slot: _Slot) -> LocalZygote:
        if self._closed:
            raise SandboxError("the sandbox is closed", transient=False)
        if slot.zygote is not None and not slot.zygote.alive():
            slot.zygote.kill()
            slot.zygote = None
        if slot.zygote is None:
            zygote = LocalZygote(self.options, index=slot.index, tmp_root=self._tmp_root)
            layers = {**zygote.layers, "service_non_dumpable": self.service_non_dumpable}
            absent = missing(layers, self.options.require)
            if absent:
                zygote.kill()
                raise SandboxError(
                    f"strict mode: required isolation layer(s) {absent} do not hold here; "
                    f"run `verifier doctor` to see which do", transient=False)
            if not self.layers:
                log.info("%s", one_line(layers))
            slot.zygote, self.layers = zygote, layers
        return slot.zygote

    @property
    def jobs_run(self) -> int:
        """How many jobs this sandbox has started (restarts after a crash included)."""
        return next(copy.copy(self._jobs))

    def run(self, job: Job, *, budget_s: float,
            on_record: Callable[[TestRecord], bool] | None = None) -> RunReport:
        next(self._jobs)
        slot = self._slots.get()
        try:
            zygote = self._ready(slot)
            try:
                return zygote.run(job, budget_s=budget_s, on_record=on_record)
            except BaseException:
                zygote.kill()
                slot.zygote = None
                raise
        finally:
            self._slots.put(slot)

    def sweep(self) -> int:
        """After a batch: make sure every job was cleaned up; return what was found left.

        Each zygote cleans up after every job, just after answering; the ping
        waits for that and returns what it killed or removed. Then processes
        of the zygotes' sessions whose parent is not a zygote are killed
        (orphans re-parented to init where the platform grants neither
        seccomp nor a subreaper; a zygote's own child is its spare, waiting
        for the next job), and work folders of zygotes that are gone are
        removed. It runs only when no job is running, so it never races one.
        """
        taken: list[_Slot] = []
        try:
            for _ in self._every:
                taken.append(self._slots.get_nowait())
        except queue.Empty:
            for slot in taken:
                self._slots.put(slot)
            return 0
        try:
            found = 0
            for slot in taken:
                if slot.zygote is not None and slot.zygote.alive():
                    try:
                        found += slot.zygote.ping()
                    except ZygoteFailed:
                        slot.zygote = None
            zygotes = set(self.zygote_pids())
            for pid in zygotes:
                for stray, parent in _session_members(pid).items():
                    if stray in zygotes or parent in zygotes:
                        continue
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.kill(stray, 9)
                        found += 1
            live = {slot.zygote.token for slot in self._every if slot.zygote is not None}
            for leftover in Path(self._tmp_root).glob("job-*"):
                if leftover.name.split("-", 1)[1].rsplit("-", 1)[0] not in live:
                    shutil.rmtree(leftover, ignore_errors=True)
                    found += 1
            return found
        finally:
            for slot in reversed(taken):
                self._slots.put(slot)

    def close(self) -> None:
        self._closed = True
        for slot in self._every:
            if slot.zygote is not None:
                slot.zygote.close()
                slot.zygote = None
        shutil.rmtree(self._tmp_root, ignore_errors=True)
