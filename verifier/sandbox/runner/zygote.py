"""The zygote: a clean, warm process that forks one child per job.

Started by the service with an empty environment in a bare interpreter
(`python -S`), it never holds a secret or an expected value: it only ever
receives programs and test inputs. It preloads the standard-library modules
generated code tends to use, so a forked child imports them without touching
the disk (the child may not open files at all), then serves jobs on fd 0/1:

    service -> zygote   {"k": "config", ...} once, then {"k": "run", "seq": n, "job": {...}},
                        {"k": "stop", "seq": n} while a job runs
    zygote -> service   {"k": "ready", "layers": {...}} once, then per job any number of
                        {"k": "rec", "r": <child frame>} and one {"k": "done", ...};
                        {"k": "pong", "strays": n} to a {"k": "ping"}, after cleaning up

The child's frames are wrapped, never passed through as the zygote's own, so
a child cannot forge the end of its job. Deadlines are enforced here, outside
the child: on a per-test or per-sample deadline the child's whole process
group is killed. The zygote answers as soon as a job ends and cleans up
afterwards (processes, cgroup, temp files, work folder), then forks the next
child ahead of its job (`entry.py`), while the service judges; a job never
starts before the previous one's cleanup has finished.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import select
import sys
import tempfile
import time
from typing import Any

from . import layers, seccomp, sweep, wire
from .cgroups import JobCgroup
from .child import serve
from .control import Control
from .job import Job, Spare, write_all
from .native import cgroup_limits, run_native

__all__ = ["PRELOAD", "main"]

PRELOAD = (
    "abc", "array", "base64", "binascii", "bisect", "calendar", "cmath", "collections",
    "collections.abc", "contextlib", "copy", "dataclasses", "datetime", "decimal", "difflib",
    "enum", "fractions", "functools", "graphlib", "hashlib", "heapq", "io", "itertools", "json",
    "keyword", "math", "numbers", "operator", "pprint", "queue", "random", "re", "statistics",
    "string", "struct", "textwrap", "threading", "time", "types", "typing", "unicodedata",
    "weakref", "zlib",
)
"""Modules loaded before any fork; a child can import these without opening files."""

_PROBE_TIMEOUT_S = 5.0


def _preload() -> list[str]:
    # The zygote runs with -S (no site-packages reachable), which also skips
    # the exit()/quit() builtins programs use; importing site under -S adds
    # nothing to sys.path, and setquit() installs just those two.
    import site

    site.setquit()
    missing = []
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    return missing


class _Zygote:
    """The zygote's state: its plan (config plus layers), the spare child, cleanup counts."""

    def __init__(self, plan: dict[str, Any], control: Control) -> None:
        self.plan = plan
        self.control = control
        self.devnull = os.open(os.devnull, os.O_RDWR)
        self.cgroup: JobCgroup | None = None
        self.child_filter = seccomp.ChildFilter() if seccomp.supported() else None
        self.spare: Spare | None = None
        self.strays = 0
        self._cgroup_limits: tuple[int, int] | None = None

    def new_workdir(self) -> str:
        # The service's token in the name tells which zygote a folder is for,
        # so its batch sweep removes only folders of zygotes that are gone.
        prefix = f"job-{self.plan.get('token', 'z')}-"
        workdir = tempfile.mkdtemp(prefix=prefix, dir=self.plan["tmp"])
        if self.plan.get("uid") is not None:
            os.chown(workdir, self.plan["uid"], self.plan["gid"])
        return workdir

    def _snapshot(self) -> sweep.TempSnapshot | None:
        # Only a uid of the children's own proves who made a new entry in /tmp;
        # with a shared uid another process's temp folder would look the same.
        own_uid = self.plan.get("uid")
        return (sweep.TempSnapshot(own_uid)
                if own_uid is not None and not self.plan["layers"].get("seccomp") else None)

    def fork_spare(self) -> Spare:
        """Fork the next child now; it prepares itself and waits for a job."""
        workdir = self.new_workdir()
        snapshot = self._snapshot()
        results_read, results_write = os.pipe()
        job_read, job_write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(results_read)
            os.close(job_write)
            serve(self.plan, result_fd=results_write, job_fd=job_read, devnull_fd=self.devnull,
                  workdir=workdir, cgroup=self.cgroup, child_filter=self.child_filter)
        os.close(results_write)
        os.close(job_read)
        with contextlib.suppress(OSError):  # the child may have done it already
            os.setpgid(pid, pid)
        return Spare(pid, results_read, job_write, workdir, snapshot)

    def fork_native(self, job: dict[str, Any]) -> Spare:
        """Fork the driver of a C++ or JavaScript job (`native.py`). Not the spare: the
        driver starts the compiler and the program, which the spare's filter forbids."""
        workdir = self.new_workdir()
        snapshot = self._snapshot()
        results_read, results_write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(results_read)
            run_native(job, self.plan, result_fd=results_write, devnull_fd=self.devnull,
                       workdir=workdir, cgroup=self.cgroup)
        os.close(results_write)
        with contextlib.suppress(OSError):  # the child may have done it already
            os.setpgid(pid, pid)
        return Spare(pid, results_read, -1, workdir, snapshot)  # its job came with the fork

    def hand_over(self, job: dict[str, Any]) -> Spare:
        """Give `job` to the spare (forking one if needed); return that child."""
        native = job.get("language", "python") != "python"
        if self.cgroup is not None:
            # Beyond the job's own: the child itself, and one in reserve.
            wanted = (cgroup_limits(job) if native else
                      (int(job["limits"]["memory_mb"]), int(job["limits"]["processes"]) + 2))
            if wanted != self._cgroup_limits:
                try:
                    self.cgroup.set_limits(memory_mb=wanted[0], processes=wanted[1])
                    self._cgroup_limits = wanted
                except OSError:  # the cgroup went away; the other layers stand alone
                    self.cgroup = None
        if native and self.spare is not None:
            # A spare waiting in the shared cgroup would be killed with the job's leftovers
            # (and counted as one): retire it now; the next is forked after the job.
            spare, self.spare = self.spare, None
            self.finish(spare)
        if native:
            return self.fork_native(job)
        payload = json.dumps(job, separators=(",", ":")).encode("utf-8")
        for attempt in range(2):
            spare, self.spare = self.spare or self.fork_spare(), None
            try:
                write_all(spare.job, payload)
                os.close(spare.job)
                return spare
            except OSError:  # the spare died before its job (e.g. killed from outside)
                self.finish(spare)
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def finish(self, spare: Spare) -> None:
        """Kill what the child and its job left, remove its files, count strays.

        Runs after the answer went out, while the service judges. The child is
        waited for: only once it has exited do its orphans come back to the
        zygote (the subreaper), where they can be found and killed.
        """
        with contextlib.suppress(OSError):
            os.close(spare.job)
        sweep.kill_group(spare.pid)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(spare.pid, 0)
        os.close(spare.results)
        if self.cgroup is not None:
            self.strays += self.cgroup.kill_all()
        if self.plan.get("uid") is not None and not self.plan["layers"].get("subreaper"):
            sweep.kill_uid(self.plan["uid"])
        self.strays += sweep.kill_strays(set())
        if spare.snapshot is not None:
            self.strays += spare.snapshot.remove_new()
        sweep.remove_tree(spare.workdir)

    def probe(self) -> dict[str, Any]:
        """Hand a probe job to a child and judge what it could still do."""
        service = self.plan.get("service_pid")
        visible = isinstance(service, int) and not self.plan["layers"].get("pidns")
        job: dict[str, Any] = {
            "probe": True, "service_pid": service if visible else None, "tests": [],
            "budget_s": _PROBE_TIMEOUT_S, "limits": {
                "timeout_s": _PROBE_TIMEOUT_S, "memory_mb": 512, "output_bytes": 4096,
                "processes": 4, "file_size_mb": 1}}
        spare = self.hand_over(job)
        reader = wire.FrameReader(max_frame=1 << 20)
        deadline = time.monotonic() + _PROBE_TIMEOUT_S
        found: dict[str, Any] = {}
        while time.monotonic() < deadline:
            ready, _, _ = select.select([spare.results], [], [], deadline - time.monotonic())
            chunk = os.read(spare.results, 1 << 16) if ready else b""
            if not chunk:
                break
            reader.feed(chunk)
            for frame in reader.frames():
                if isinstance(frame, dict) and isinstance(frame.get("found"), dict):
                    found = frame["found"]
        self.finish(spare)
        self.strays = 0
        return layers.judge_probe(found, self.plan["layers"])


def _setup(config: dict[str, Any]) -> _Zygote:
    """From the config frame to a hardened, probed zygote."""
    plan = dict(config)
    host_pid = os.getpid()  # unique on the host, unlike our pid inside a new PID namespace
    namespaces = layers.enter_namespaces(config)
    if namespaces.get("mountns"):
        # The service's temp folder is hidden under the fresh /tmp: make our own.
        plan["tmp"] = tempfile.mkdtemp(prefix="verifier-", dir="/tmp")
        os.chmod(plan["tmp"], 0o711)
    zygote = _Zygote(plan, _CONTROL)
    if os.geteuid() == 0 and config.get("cgroup", True):
        cgroup = JobCgroup(f"verifier-zygote-{host_pid}")
        zygote.cgroup = cgroup if cgroup.available else None
    plan["layers"] = {**layers.harden(config), **namespaces,
                      "cgroup": zygote.cgroup is not None}
    plan["layers"] = zygote.probe()
    return zygote


_CONTROL = Control()


def main() -> None:
    config = _CONTROL.next()
    if not isinstance(config, dict) or config.get("k") != "config":
        sys.exit("zygote: expected a config frame first")
    os.environ.clear()
    missing = _preload()
    zygote = _setup(config)
    wire.write_frame(1, {"k": "ready", "pid": os.getpid(), "layers": zygote.plan["layers"],
                         "missing": missing})
    while True:
        if zygote.spare is None:
            zygote.spare = zygote.fork_spare()
        message = _CONTROL.next()
        if not isinstance(message, dict):
            message = {"k": "exit"}  # the service has gone (or sent nonsense): stop
        kind = message.get("k")
        if kind == "run":
            job = message["job"]
            spare = zygote.hand_over(job)
            wire.write_frame(1, Job(spare, job, _CONTROL, message.get("seq")).run())
            # After answering, while the service judges: clean up, then fork the
            # next spare (top of the loop), which prepares before its job comes.
            zygote.finish(spare)
        elif kind == "ping":
            wire.write_frame(1, {"k": "pong", "strays": zygote.strays})
            zygote.strays = 0
        elif kind == "exit":
            if zygote.spare is not None:
                spare, zygote.spare = zygote.spare, None
                zygote.finish(spare)
            if zygote.cgroup is not None:
                zygote.cgroup.remove()
            return

