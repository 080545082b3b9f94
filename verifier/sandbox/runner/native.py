"""Native programs (C++, JavaScript): compile once, then one fresh process per test.

The zygote forks this driver for a job whose language is not Python. The
driver runs only our code: it never executes the candidate itself, so it
keeps the rights it needs to start processes, and each process it starts
gets its own limits and filters before the untrusted part begins:

* the compiler (C++): its own limits (time, memory, file size), a filter
  that lets it fork and exec its tools but signal only its own processes,
  the zygote's filter below (no sockets), and Landlock confining it to the
  system folders and its work folder where the kernel has it;
* the program, once per stdin/stdout test: the test's input in memory at
  fd 0, its output captured from fd 1 (up to the output cap), /dev/null at
  2; the result pipe is not there, so it cannot write a frame. A C++ binary
  (static, so its exec needs no file) gets an open-file limit of zero;
  Node.js must open its own libraries, so it gets a few descriptors, files
  for reading only, and Landlock. Both are exec'd exactly once through the
  exec gate (`execgate`); every exec after that fails.

The driver writes the same frames as the Python child (load, one per test,
end), judging nothing: a program's exit status, signal or timeout becomes
that test's status and the next test still runs, so the program is compiled
once per sample. A failure of our own (a tool missing, an exec refused) is
reported as a `fault` frame, which the service treats as an infrastructure
error, never as a verdict; only a driver can send one, since the program
never holds the result pipe.
"""

from __future__ import annotations

import contextlib
import os
import resource
import select
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

from . import landlock, seccomp, toolchains
from .child import _emit
from .entry import RESULT_FD, _memory_file
from .execgate import ExecGate

__all__ = ["cgroup_limits", "run_native"]

_MB = 1 << 20
_SPARE_FD = 4
"""Held by /dev/null in the driver, so every descriptor it opens later is above the
ones a launched process is given (0-2 standard, 3 exec source, 4 exec errors)."""
_EXEC_FD, _ERROR_FD = 3, 4
_NODE_FILES = 64
_EXTRA_TASKS = 8
"""Tasks beyond `processes`: the compiler's tools, Node.js's helper threads."""
_DIAGNOSTICS = 4096
_MAX_TIMEOUTS = 2
"""Give up on a program after this many timeouts: each costs a whole per-test limit."""
_ERROR_CHARS = 300


class _Fault(Exception):
    """Our failure, not the program's: reported as a fault frame."""


@dataclass(frozen=True, slots=True)
class _Launch:
    """One process to start: what to exec, its descriptors, limits and confinement."""

    argv: list[str]
    target: str | int
    """A path, or a descriptor opened beforehand (exec'd through fexecve)."""
    stdin_fd: int
    stdout_fd: int
    stderr_fd: int
    limits: tuple[tuple[int, int], ...]
    filter_for: Callable[[int], bytes | None] | None
    """The seccomp filter for the new process's pid; None adds none."""
    read: tuple[str, ...] | None = None
    write: tuple[str, ...] = ()
    """Landlock: folders readable (None: no Landlock) and writable."""
    env: dict[str, str] | None = None


@dataclass(frozen=True, slots=True)
class _Ended:
    status: int
    timed_out: bool
    exec_errno: int | None
    seconds: float


def _start(launch: _Launch) -> tuple[int, int]:
    """Fork and exec `launch`; return its pid and a pipe that reports a failed exec."""
    err_r, err_w = os.pipe2(os.O_CLOEXEC)
    pid = os.fork()
    if pid == 0:
        try:
            _become(launch, err_w)
        except BaseException as exc:  # nothing may unwind into the driver's code here
            number = exc.errno if isinstance(exc, OSError) and exc.errno else 0
            with contextlib.suppress(OSError):
                os.write(_ERROR_FD, str(number or 255).encode())
        finally:
            os._exit(127)
    os.close(err_w)
    return pid, err_r


def _become(launch: _Launch, err_w: int) -> None:
    # The error pipe first: a failure anywhere below is reported through it.
    # (Every source descriptor is above _ERROR_FD; see _SPARE_FD.)
    os.dup2(err_w, _ERROR_FD, inheritable=False)
    os.setpgid(0, 0)
    for source, number in ((launch.stdin_fd, 0), (launch.stdout_fd, 1), (launch.stderr_fd, 2)):
        if source != number:
            os.dup2(source, number)
    target = launch.target
    if isinstance(target, int):
        os.dup2(target, _EXEC_FD, inheritable=False)
        target = _EXEC_FD
    os.closerange(_ERROR_FD + 1, 1 << 16)
    # Ignored signals stay ignored across exec: give the program the defaults.
    # SIGXFSZ then ends a program that writes past the output cap at once
    # (a C++ loop would otherwise go on printing into failed writes).
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
    if launch.read is not None:
        landlock.confine(read=launch.read, write=launch.write)
    for kind, value in launch.limits:
        resource.setrlimit(kind, (value, value))
    if launch.filter_for is not None and not seccomp.install(launch.filter_for(os.getpid())):
        raise OSError(1, "seccomp filter refused")  # never run a program unfiltered
    os.execve(target, launch.argv, launch.env or {})


def _wait(pid: int, err_r: int, deadline: float, gate: ExecGate | None) -> _Ended:
    """Wait for `pid` until `deadline`, answering the exec gate meanwhile."""
    started = time.monotonic()
    exit_fd = os.pidfd_open(pid)
    watched = [exit_fd, err_r] + ([gate.fd] if gate is not None else [])
    exec_errno: int | None = None
    timed_out = False
    try:
        if gate is not None:
            gate.expect(pid)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            ready, _, _ = select.select(watched, [], [], left)
            if gate is not None and gate.fd in ready:
                gate.serve()
            if err_r in ready:
                data = os.read(err_r, 64)
                watched.remove(err_r)
                if data:
                    exec_errno = int(data) if data.isdigit() else 255
            if exit_fd in ready:
                break
    finally:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        os.close(exit_fd)
        os.close(err_r)
    return _Ended(status, timed_out, exec_errno, time.monotonic() - started)


def _read_capped(fd: int, cap: int) -> bytes | None:
    size = os.fstat(fd).st_size
    return None if size > cap else os.pread(fd, size, 0)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _test_record(ended: _Ended, output: bytes | None) -> dict[str, Any]:
    """The status of one test from how its process ended."""
    if ended.exec_errno is not None:
        if ended.exec_errno == 12:  # ENOMEM: a binary whose static data exceeds the limit
            return {"status": "memory", "error": "the program needs more memory than allowed"}
        raise _Fault(f"could not start the program: {os.strerror(ended.exec_errno)}")
    status = ended.status
    if output is None or (os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXFSZ):
        return {"status": "output_limit"}
    if ended.timed_out or (os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU):
        return {"status": "timeout", "error": "ran past its time limit"}
    if os.WIFSIGNALED(status):
        return {"status": "error", "error": f"killed by {_signal_name(os.WTERMSIG(status))}"}
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        return {"status": "error", "error": f"exited with status {code}"}
    assert output is not None
    return {"status": "ok", "stdout": output.decode("utf-8", errors="replace")}


class _Driver:
    """One native job: prepare the program once, then run each test in a fresh process."""

    def __init__(self, job: dict[str, Any], plan: dict[str, Any], workdir: str,
                 max_frame: int) -> None:
        self.job = job
        self.plan = plan
        self.workdir = workdir
        self.max_frame = max_frame
        self.language = str(job["language"])
        self.limits = job["limits"]
        self.filtered = bool(plan["layers"].get("seccomp"))
        self.gate: ExecGate | None = None
        self.exec_fd = -1
        self.argv: list[str] = []

    def emit(self, record: dict[str, Any]) -> None:
        _emit(record, self.max_frame)

    def run(self) -> None:
        refused = toolchains.refusal(self.language, self.job["code"])
        problem = refused and f"refused before compiling: {refused}"
        if problem is None and self.language == "cpp":
            problem = self._compile()
        elif problem is None:
            self._write_script()
        if problem is not None:
            self.emit({"k": "load", "ok": False, "error": problem[:_ERROR_CHARS]})
            return
        if self.filtered:
            self.gate = ExecGate.install()
        self.emit({"k": "load", "ok": True})
        timeouts = 0
        for test in self.job["tests"]:
            record = self._run_test(test)
            self.emit({**record, "k": "test", "i": test["i"]})
            timeouts += record["status"] == "timeout"
            if timeouts >= _MAX_TIMEOUTS:
                break  # the rest are not run, as the Python path does (run_resuming)
        self.emit({"k": "end", **_usage()})

    def _tool(self) -> str:
        tool = toolchains.find(self.language)
        if tool is None:
            raise _Fault(f"no tool for {self.language} on this machine")
        return tool

    def _compile(self) -> str | None:
        """Build the binary; the reason the program does not compile, or None."""
        source, binary = "prog.cpp", "prog"
        with open(source, "w", encoding="utf-8") as handle:
            handle.write(self.job["code"])
        timeout_s = float(self.limits["compile_timeout_s"])
        diagnostics = _memory_file("diagnostics", self.workdir)
        limits = ((resource.RLIMIT_CPU, toolchains.cpu_seconds(timeout_s)),
                  (resource.RLIMIT_AS, toolchains.COMPILE_MEMORY_MB * _MB),
                  (resource.RLIMIT_FSIZE, toolchains.COMPILE_FILE_MB * _MB),
                  (resource.RLIMIT_NOFILE, 256))
        launch = _Launch(
            argv=toolchains.compile_argv(self._tool(), source, binary), target=self._tool(),
            stdin_fd=2, stdout_fd=diagnostics, stderr_fd=diagnostics, limits=limits,
            filter_for=(lambda pid: seccomp.compile_filter(own_pid=pid)) if self.filtered else None,
            read=toolchains.SYSTEM_DIRS, write=(self.workdir, os.devnull),
            env={"PATH": "/usr/bin:/bin", "TMPDIR": self.workdir, "LC_ALL": "C"})
        pid, err_r = _start(launch)
        ended = _wait(pid, err_r, time.monotonic() + timeout_s, None)
        if ended.exec_errno is not None:
            raise _Fault(f"could not start the compiler: {os.strerror(ended.exec_errno)}")
        if ended.timed_out:
            return f"compilation ran past its time limit of {timeout_s:g} s"
        text = os.pread(diagnostics, _DIAGNOSTICS, 0).decode("utf-8", errors="replace")
        os.close(diagnostics)
        if ended.status != 0 or not os.path.isfile(binary):
            first_error = text.find("error")
            shown = text[first_error:] if first_error >= 0 else text
            return "compilation failed: " + (shown.strip() or f"status {ended.status}")
        self.exec_fd = os.open(binary, os.O_PATH | os.O_CLOEXEC)
        self.argv = [binary]
        return None

    def _write_script(self) -> None:
        script = "prog.js"
        with open(script, "w", encoding="utf-8") as handle:
            handle.write(self.job["code"])
        node = self._tool()
        self.exec_fd = os.open(node, os.O_PATH | os.O_CLOEXEC)
        self.argv = toolchains.node_argv(node, script, memory_mb=int(self.limits["memory_mb"]))

    def _program_limits(self) -> tuple[tuple[int, int], ...]:
        memory_mb = int(self.limits["memory_mb"])
        files: list[tuple[int, int]] = []
        if self.language == "javascript":
            memory_mb += toolchains.NODE_RESERVE_MB
            files.append((resource.RLIMIT_NOFILE, _NODE_FILES))
        elif self.plan.get("no_new_files", True):
            files.append((resource.RLIMIT_NOFILE, 0))
        return ((resource.RLIMIT_CPU, toolchains.cpu_seconds(float(self.limits["run_timeout_s"]))),
                (resource.RLIMIT_AS, memory_mb * _MB),
                (resource.RLIMIT_FSIZE, int(self.limits["output_bytes"]) + 1),
                (resource.RLIMIT_CORE, 0), *files)

    def _program_filter(self) -> Callable[[int], bytes | None] | None:
        if not self.filtered:
            return None
        node = self.language == "javascript"
        exec_fd = None if self.gate is not None else _EXEC_FD
        return lambda pid: seccomp.program_filter(own_pid=pid, read_only_files=node,
                                                  exec_fd=exec_fd)

    def _run_test(self, test: dict[str, Any]) -> dict[str, Any]:
        stdin_fd = _memory_file("stdin", self.workdir)
        stdout_fd = _memory_file("stdout", self.workdir)
        try:
            data = memoryview(test.get("stdin", "").encode("utf-8"))
            while data:
                data = data[os.write(stdin_fd, data):]
            os.lseek(stdin_fd, 0, os.SEEK_SET)
            node = self.language == "javascript"
            launch = _Launch(
                argv=self.argv, target=self.exec_fd, stdin_fd=stdin_fd, stdout_fd=stdout_fd,
                stderr_fd=2, limits=self._program_limits(), filter_for=self._program_filter(),
                read=(*toolchains.SYSTEM_DIRS, self.workdir) if node else None)
            pid, err_r = _start(launch)
            timeout_s = float(self.limits["run_timeout_s"])
            ended = _wait(pid, err_r, time.monotonic() + timeout_s, self.gate)
            output = _read_capped(stdout_fd, int(self.limits["output_bytes"]))
            return {**_test_record(ended, output), "ms": round(ended.seconds * 1e3, 3)}
        finally:
            os.close(stdin_fd)
            os.close(stdout_fd)


def _usage() -> dict[str, float]:
    """CPU time of the driver and every process it waited for (compiler, tests); peak memory."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    started = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = own.ru_utime + own.ru_stime + started.ru_utime + started.ru_stime
    return {"cpu_ms": round(cpu_s * 1e3, 3), "max_rss_kb": max(own.ru_maxrss, started.ru_maxrss)}


def cgroup_limits(job: dict[str, Any]) -> tuple[int, int]:
    """Memory (MB) and tasks of the zygote's cgroup for a native job (root only).

    The compiler and Node.js's reservations need more than the program's own
    limit; each process keeps its own address-space limit. Tasks: the job's,
    the tools' (compiler helpers, Node.js threads), the driver and one in
    reserve (the zygote retires its spare child before a native job).
    """
    limits = job["limits"]
    memory_mb = max(int(limits["memory_mb"]) + toolchains.NODE_RESERVE_MB,
                    toolchains.COMPILE_MEMORY_MB)
    return memory_mb, int(limits["processes"]) + _EXTRA_TASKS + 2


def _enter(job: dict[str, Any], plan: dict[str, Any], *, result_fd: int, devnull_fd: int,
           workdir: str, cgroup: Any) -> None:
    """The driver's own setup: its group, cgroup, folder, descriptors, uid and task limit."""
    os.setpgid(0, 0)
    limits = job["limits"]
    if cgroup is not None:
        cgroup.join()  # needs an open file and root: before the two go
    os.chdir(workdir)
    for source, target in ((devnull_fd, 0), (devnull_fd, 1), (devnull_fd, 2),
                           (result_fd, RESULT_FD), (devnull_fd, _SPARE_FD)):
        if source != target:
            os.dup2(source, target)
    os.closerange(_SPARE_FD + 1, 1 << 16)
    uid = plan.get("uid")
    if uid is not None:
        os.setgroups([])
        os.setgid(plan["gid"])
        os.setuid(uid)
    tasks = int(limits["processes"]) + int(plan.get("nproc_base", 0)) + _EXTRA_TASKS + 1
    for kind, value in ((resource.RLIMIT_NPROC, tasks), (resource.RLIMIT_CORE, 0),
                        (resource.RLIMIT_CPU, int(float(job["budget_s"])) + 2)):
        resource.setrlimit(kind, (value, value))


def run_native(job: dict[str, Any], plan: dict[str, Any], *, result_fd: int, devnull_fd: int,
               workdir: str, cgroup: Any = None) -> NoReturn:
    """Run one native job in this freshly forked process, then exit; never returns."""
    max_frame = 8 * int(job["limits"]["output_bytes"]) + (1 << 20)  # as the zygote reads
    try:
        _enter(job, plan, result_fd=result_fd, devnull_fd=devnull_fd, workdir=workdir,
               cgroup=cgroup)
        _Driver(job, plan, workdir, max_frame).run()
    except _Fault as exc:
        with contextlib.suppress(BaseException):
            _emit({"k": "fault", "error": str(exc)[:_ERROR_CHARS]}, max_frame)
    except BaseException as exc:  # our own bug or the platform's: never a verdict
        with contextlib.suppress(BaseException):
            _emit({"k": "fault", "error": f"driver: {type(exc).__name__}: {exc}"[:_ERROR_CHARS]},
                  max_frame)
    finally:
        os._exit(0)
