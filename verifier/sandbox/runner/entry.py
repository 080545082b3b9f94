"""Between fork and a program's first line, in two phases.

A child is forked before its job exists: right after the previous job, while
the service is still judging it, so the fork, the descriptor shuffle, the
privilege drop and the seccomp filter are off the path a sample waits on.

* `prepare` (in the spare child, job unknown): own process group, join the
  cgroup, go to the work folder, fds 0 / 1 on in-memory files, 2 on
  /dev/null, 3 the result pipe, 4 the job pipe; drop to the worker's uid;
  install the child's seccomp filter.
* `take_job` (once the zygote writes the job to fd 4 and closes it): read it,
  close fd 4, set the job's resource limits, lower the open-file limit to
  zero. Only then does program code run.
"""

from __future__ import annotations

import fcntl
import json
import os
import resource
import signal
from typing import Any

from . import seccomp

__all__ = ["JOB_FD", "RESULT_FD", "prepare", "take_job"]

RESULT_FD = 3
JOB_FD = 4
_MB = 1 << 20
_MAX_JOB_BYTES = 256 << 20
_PARKING = 16


def _memory_file(name: str, workdir: str) -> int:
    try:
        return os.memfd_create(name)
    except (AttributeError, OSError):  # no memfd: an unlinked file in the workdir
        fd = os.open(os.path.join(workdir, name), os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        os.unlink(os.path.join(workdir, name))
        return fd


def _descriptors(result_fd: int, job_fd: int, devnull_fd: int, workdir: str) -> None:
    """Leave exactly fds 0 (input), 1 (output), 2 (/dev/null), 3 (results), 4 (the job)."""
    sources = (_memory_file("stdin", workdir), _memory_file("stdout", workdir), devnull_fd,
               result_fd, job_fd)
    # Park every source above the targets first, so that no move below can
    # overwrite a source still waiting to be moved.
    parked = [fcntl.fcntl(fd, fcntl.F_DUPFD, _PARKING) for fd in sources]
    for target, source in enumerate(parked):
        os.dup2(source, target)
    os.closerange(JOB_FD + 1, 1 << 16)


def _drop_privileges(plan: dict[str, Any]) -> None:
    uid = plan.get("uid")
    if uid is not None:
        os.setgroups([])
        os.setgid(plan["gid"])
        os.setuid(uid)


def prepare(plan: dict[str, Any], *, result_fd: int, job_fd: int, devnull_fd: int,
            workdir: str, cgroup: Any = None, child_filter: Any = None) -> None:
    """Everything that does not depend on the job, in this order."""
    os.setpgid(0, 0)
    if cgroup is not None:
        cgroup.join()  # needs an open file and root: before the two go
    os.chdir(workdir)
    _descriptors(result_fd, job_fd, devnull_fd, workdir)
    _drop_privileges(plan)
    if plan["layers"].get("seccomp"):
        installed = (child_filter.install(os.getpid()) if child_filter is not None
                     else seccomp.install(seccomp.child_filter(own_pid=os.getpid())))
        if not installed:  # the zygote's filter took, so this one must too
            os._exit(70)


def _read_job() -> dict[str, Any]:
    chunks = []
    size = 0
    while True:
        chunk = os.read(JOB_FD, 1 << 20)
        if not chunk:
            break
        size += len(chunk)
        if size > _MAX_JOB_BYTES:
            raise ValueError("job too large")
        chunks.append(chunk)
    os.close(JOB_FD)
    job: dict[str, Any] = json.loads(b"".join(chunks))
    return job


def _largest_stdin(job: dict[str, Any]) -> int:
    return max((len(t.get("stdin", "").encode("utf-8")) for t in job["tests"]), default=0)


def _limits(job: dict[str, Any], plan: dict[str, Any]) -> None:
    """Every resource limit of the job, hard equal to soft."""
    limits = job["limits"]
    # fd 0 and 1 are files too: the limit must admit the largest input and
    # the output cap (plus one byte, to notice going past it).
    file_bytes = max(int(limits["file_size_mb"]) * _MB, int(limits["output_bytes"]) + 1,
                     _largest_stdin(job) + 1)
    for kind, value in (
        (resource.RLIMIT_CPU, int(float(job["budget_s"])) + 2),
        (resource.RLIMIT_AS, int(limits["memory_mb"]) * _MB),
        (resource.RLIMIT_FSIZE, file_bytes),
        (resource.RLIMIT_NPROC, int(limits["processes"]) + int(plan.get("nproc_base", 0)) + 1),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(kind, (value, value))
    # Past RLIMIT_FSIZE a write must fail with EFBIG, not kill the process.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    if plan.get("no_new_files", True):
        # Zero, not 5: with a limit of 5 a program could close fd 2 and open a
        # file or socket in its place. At zero no descriptor can be created at
        # all (open, socket, pipe, dup, memfd, a not-yet-loaded module), while
        # the ones held stay usable.
        resource.setrlimit(resource.RLIMIT_NOFILE, (0, 0))


def take_job(plan: dict[str, Any]) -> dict[str, Any]:
    """Wait for the job on fd 4, then enter its limits; return it."""
    job = _read_job()
    _limits(job, plan)
    return job
