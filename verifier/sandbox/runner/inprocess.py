"""A job's tests run in this very process, with no isolation at all.

This is not a sandbox: it is the benchmark's floor (what the same tests cost
with nothing around them) and, started in a fresh interpreter per sample, its
naive process-per-sample baseline. It keeps the runner's semantics where they
affect a verdict (load once for call and assert tests, a fresh namespace per
stdin/stdout test, per-test timeouts, two timeouts and the rest is not run),
and a test that runs past its time ends the run there, as a killed child
would (the last frame then says so), so the service's own restart logic
applies. The rewards come out the same as the sandbox's on a well-behaved
workload. Standard library only, like the rest of this package.
"""

from __future__ import annotations

import builtins
import io
import json
import signal
import sys
import time
from typing import Any

from . import codec

__all__ = ["main", "run_job"]

class _Timeout(BaseException):
    """Raised from SIGALRM when a test runs past its time."""


def _alarm(_signum: int, _frame: Any) -> None:
    raise _Timeout


def _detail(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


def _execute(code: Any, namespace: dict[str, Any], stdin: str) -> tuple[str, BaseException | None]:
    saved = sys.stdin, sys.stdout
    sys.stdin = io.StringIO(stdin)
    sys.stdout = out = io.StringIO()
    try:
        exec(code, namespace)
    except SystemExit as exc:
        return out.getvalue(), None if exc.code in (None, 0) else exc
    except _Timeout:
        raise
    except BaseException as exc:
        return out.getvalue(), exc
    finally:
        sys.stdin, sys.stdout = saved
    return out.getvalue(), None


def run_job(job: dict[str, Any]) -> list[dict[str, Any]]:
    """The frames the sandbox's child would send, computed in this process."""
    frames: list[dict[str, Any]] = []
    limits = job["limits"]
    signal.signal(signal.SIGALRM, _alarm)
    try:
        code = compile(job["code"], "<solution>", "exec")
    except BaseException as exc:
        return [{"k": "load", "ok": False, "error": _detail(exc)}]
    namespace: dict[str, Any] = {"__name__": "solution", "__builtins__": builtins}
    if job.get("module"):
        signal.setitimer(signal.ITIMER_REAL, float(limits["timeout_s"]))
        try:
            _, error = _execute(code, namespace, "")
            if error is None and job.get("setup"):
                exec(job["setup"], namespace)
        except _Timeout:
            return [{"k": "timeout"}]
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        if error is not None:
            return [{"k": "load", "ok": False, "error": _detail(error)}]
        entry = job.get("entry_point")
        if entry and not callable(namespace.get(entry)):
            return [{"k": "load", "ok": False, "error": f"entry point {entry!r} is not defined"}]
        if entry:
            namespace.setdefault("candidate", namespace[entry])
    frames.append({"k": "load", "ok": True})
    for test in job["tests"]:
        started = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, float(limits["timeout_s"]))
        try:
            record = _run_test(code, namespace, job, test)
        except _Timeout:
            frames.append({"k": "timeout", "i": test["i"]})
            return frames
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        record.update(k="test", i=test["i"], ms=round((time.perf_counter() - started) * 1e3, 3))
        frames.append(record)
    frames.append({"k": "end"})
    return frames


def _run_test(code: Any, namespace: dict[str, Any], job: dict[str, Any],
              test: dict[str, Any]) -> dict[str, Any]:
    kind = test["kind"]
    if kind == "stdio":
        output, error = _execute(code, {"__name__": "__main__", "__builtins__": builtins},
                                 test.get("stdin", ""))
        if error is not None:
            return {"status": "error", "error": _detail(error)}
        return {"status": "ok", "stdout": output}
    if kind == "assert":
        _, error = _execute(test["assert"], namespace, "")
        if isinstance(error, AssertionError):
            return {"status": "fail", "error": _detail(error)}
        return {"status": "error", "error": _detail(error)} if error else {"status": "ok"}
    saved = sys.stdout
    sys.stdout = io.StringIO()
    try:
        value = namespace[job["entry_point"]](*codec.decode(test.get("args", [])),
                                              **codec.decode(test.get("kwargs", {})))
    except _Timeout:
        raise
    except BaseException as exc:
        return {"status": "error", "error": _detail(exc)}
    finally:
        sys.stdout = saved
    try:
        return {"status": "ok", "value": codec.encode(value)}
    except codec.CodecError as exc:
        return {"status": "bad_value", "error": str(exc)}


def main() -> None:
    """Read one job (JSON) on stdin, print its frames (JSON) on stdout."""
    job = json.loads(sys.stdin.buffer.read())
    frames = run_job(job)
    sys.stdout.write(json.dumps(frames))


if __name__ == "__main__":
    main()
