"""The per-sample child: load the candidate program and run it on test inputs.

The child is forked from the zygote, enters its limits, then runs every test
of one job in turn and writes one frame per event to descriptor 3:

    {"k": "load", "ok": true}                       program compiled (and loaded)
    {"k": "load", "ok": false, "error": "..."}       it did not; nothing else follows
    {"k": "test", "i": 4, "status": "ok", "value": <encoded>, "ms": 0.3}
    {"k": "end"}

Statuses: ok, error, fail (an assert snippet failed), memory, output_limit,
bad_value (a return value that is not plain data). The child never sees an
expected value, so nothing it writes can be a verdict on its own: the trusted
side compares. The candidate shares this process, so it can write frames too;
that is why frames carry only what the candidate could have returned anyway.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import os
import random
import resource
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, NoReturn

from . import codec, entry, guards, layers, wire

__all__ = ["serve"]

_DETAIL_CHARS = 300


def _detail(exc: BaseException) -> str:
    name = type(exc).__name__
    try:
        text = str(exc)
    except BaseException:  # a hostile __str__ must not break reporting
        text = ""
    line = f"{name}: {text}" if text else name
    return line if len(line) <= _DETAIL_CHARS else line[:_DETAIL_CHARS] + "...[cut]"


class _Streams:
    """Standard input and output of one test, on in-memory files at fds 0 and 1.

    Real descriptors rather than io.StringIO, so that `open(0).read()`,
    `os.read(0, n)`, `sys.stdout.buffer.write` and `os.write(1, ...)` behave as
    they would in a judge. RLIMIT_FSIZE bounds how far fd 1 can grow.
    """

    def __init__(self, cap: int) -> None:
        self.cap = cap

    def begin(self, stdin: bytes) -> None:
        for fd in (0, 1):
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
        view = memoryview(stdin)
        while view:
            view = view[os.write(0, view):]
        os.lseek(0, 0, os.SEEK_SET)
        # Fresh objects each test: an old reader may hold read-ahead input.
        sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115

    def end(self) -> bytes | None:
        """The test's output, or None when it went past the cap."""
        with contextlib.suppress(BaseException):  # the program may have closed or replaced it
            sys.stdout.flush()
        sys.stdin, sys.stdout = sys.__stdin__, sys.__stdout__
        size = os.fstat(1).st_size
        if size > self.cap:
            return None
        return os.pread(1, size, 0)


def _emit(record: dict[str, Any], max_frame: int) -> None:
    frame = wire.dump_frame(record)
    if len(frame) > max_frame:
        frame = wire.dump_frame({"k": record["k"], "i": record.get("i"), "status": "output_limit",
                                 "ms": record.get("ms", 0.0)})
    data = memoryview(frame)
    while data:
        data = data[os.write(entry.RESULT_FD, data):]


def _keep_std_fds_open() -> None:
    """Make `open(0)` / `open(1, "w")` leave fds 0-2 open when the file object goes.

    `open(0).read()` is a common way to read input; in a judge each test is a
    new process, so closing fd 0 afterwards is harmless there. Here the next
    test needs fd 0, and no new descriptor can replace it.
    """
    real_open = io.open

    def open_keeping_std(file: Any, *args: Any, **kwargs: Any) -> Any:
        if type(file) is int and 0 <= file <= 2:
            if len(args) > 5:  # closefd passed by position
                args = (*args[:5], False, *args[6:])
            else:
                kwargs["closefd"] = False
        return real_open(file, *args, **kwargs)

    builtins.open = io.open = open_keeping_std


def _join_threads() -> None:
    """Wait for the program's non-daemon threads, as the interpreter does at exit.

    Contest programs often run main() in a thread with a bigger stack
    (threading.stack_size(...); Thread(target=main).start()) and print from
    it after the module body has returned. The zygote's deadline still
    bounds the wait.
    """
    main = threading.main_thread()
    for thread in threading.enumerate():
        if thread is not main and not thread.daemon:
            thread.join()


def _exits_cleanly(exc: BaseException) -> bool:
    """A whole program may end with sys.exit(0) / exit() after printing its answer."""
    return isinstance(exc, SystemExit) and exc.code in (None, 0)


class _Program:
    """The candidate's code, compiled once, run per test."""

    def __init__(self, job: dict[str, Any], max_frame: int) -> None:
        self.job = job
        self.streams = _Streams(int(job["limits"]["output_bytes"]))
        self.max_frame = max_frame
        self.code: Any = None
        self.namespace: dict[str, Any] = {}
        self.refused = 0

    def load(self) -> bool:
        try:
            self.code = compile(self.job["code"], "<solution>", "exec", dont_inherit=True)
        except BaseException as exc:  # SyntaxError, ValueError (null bytes), RecursionError...
            _emit({"k": "load", "ok": False, "error": _detail(exc)}, self.max_frame)
            return False
        if self.job.get("module"):
            error = self._exec_module()
            if error is not None:
                _emit({"k": "load", "ok": False, "error": error,
                       "refused": self._newly_refused()}, self.max_frame)
                return False
        _emit({"k": "load", "ok": True, "refused": self._newly_refused()}, self.max_frame)
        return True

    def _newly_refused(self) -> int:
        """Refusals by the restricted runtime since the last frame."""
        fresh = guards.violations() - self.refused
        self.refused += fresh
        return fresh

    def _globals(self, name: str) -> dict[str, Any]:
        """Fresh module globals: full builtins, or the restricted runtime's guarded ones."""
        if self.job.get("runtime") == "restricted":
            return guards.namespace(name=name, allowed=frozenset(self.job.get("imports", ())))
        return {"__name__": name, "__builtins__": builtins}

    def _exec_module(self) -> str | None:
        """Run the program once as a module so its functions exist; None when it worked."""
        self.namespace = self._globals("solution")
        self.streams.begin(b"")
        try:
            exec(self.code, self.namespace)
            if self.job.get("setup"):
                exec(compile(self.job["setup"], "<setup>", "exec"), self.namespace)
        except BaseException as exc:  # includes SystemExit: loading must not end the program
            return _detail(exc)
        finally:
            self.streams.end()
        entry = self.job.get("entry_point")
        if entry:
            if not callable(self.namespace.get(entry)):
                return f"entry point {entry!r} is not defined"
            self.namespace.setdefault("candidate", self.namespace[entry])
        return None

    def run_test(self, test: dict[str, Any]) -> dict[str, Any]:
        kind = test["kind"]
        runner: Callable[[dict[str, Any]], dict[str, Any]]
        runner = {"call": self._call, "stdio": self._stdio, "assert": self._assert}[kind]
        self.streams.begin(test.get("stdin", "").encode("utf-8") if kind == "stdio" else b"")
        started = time.perf_counter()
        try:
            record = runner(test)
        except BaseException as exc:  # the program's failure is this test's verdict
            status = "memory" if isinstance(exc, MemoryError) else "error"
            record = {"status": status, "error": _detail(exc)}
        elapsed_ms = (time.perf_counter() - started) * 1e3
        output = self.streams.end()
        if output is None:
            record = {"status": "output_limit"}
        elif kind == "stdio" and record["status"] == "ok":
            record["stdout"] = output.decode("utf-8", errors="replace")
        record.update(k="test", i=test["i"], ms=round(elapsed_ms, 3))
        refused = self._newly_refused()
        if refused:
            record["refused"] = refused
        return record

    def _call(self, test: dict[str, Any]) -> dict[str, Any]:
        args = codec.decode(test.get("args", []))
        kwargs = codec.decode(test.get("kwargs", {}))
        value = self.namespace[self.job["entry_point"]](*args, **kwargs)
        try:
            return {"status": "ok", "value": codec.encode(value)}
        except codec.CodecError as exc:
            return {"status": "bad_value", "error": str(exc)}

    def _stdio(self, test: dict[str, Any]) -> dict[str, Any]:
        try:
            exec(self.code, self._globals("__main__"))
        except BaseException as exc:
            if not _exits_cleanly(exc):
                raise
        _join_threads()
        return {"status": "ok"}

    def _assert(self, test: dict[str, Any]) -> dict[str, Any]:
        try:
            exec(compile(test["assert"], "<test>", "exec"), self.namespace)
        except AssertionError as exc:
            return {"status": "fail", "error": _detail(exc)}
        return {"status": "ok"}


def _usage() -> dict[str, float]:
    """This process's CPU time and peak memory, reported with the end frame."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"cpu_ms": round((usage.ru_utime + usage.ru_stime) * 1e3, 3),
            "max_rss_kb": usage.ru_maxrss}


def _run_program(job: dict[str, Any]) -> None:
    max_frame = 8 * int(job["limits"]["output_bytes"]) + (1 << 20)
    random.seed(0)
    _keep_std_fds_open()
    program = _Program(job, max_frame)
    if program.load():
        for test in job["tests"]:
            _emit(program.run_test(test), max_frame)
        _emit({"k": "end", **_usage()}, max_frame)


def serve(plan: dict[str, Any], *, result_fd: int, job_fd: int, devnull_fd: int,
          workdir: str, cgroup: Any = None, child_filter: Any = None) -> NoReturn:
    """The whole life of a forked child: prepare, wait for the job, run it, exit."""
    try:
        entry.prepare(plan, result_fd=result_fd, job_fd=job_fd, devnull_fd=devnull_fd,
                      workdir=workdir, cgroup=cgroup, child_filter=child_filter)
        job = entry.take_job(plan)
        if job.get("probe"):
            found = layers.probe_in_child(job.get("service_pid"))
            _emit({"k": "probe", "found": found}, 1 << 20)
        else:
            _run_program(job)
    except BaseException:  # nothing may unwind into the zygote's code in this process
        pass
    finally:
        os._exit(0)
