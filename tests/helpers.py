"""Builders for Nova samples used across test kinds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TESTCASES = ROOT / "testcases"


def assistant(text: str, role: str = "assistant") -> list[dict[str, Any]]:
    return [{"role": "user", "content": "Solve it."}, {"role": role, "content": text}]


def fenced(code: str, label: str = "python") -> str:
    return f"Here you go:\n```{label}\n{code}\n```\n"


def sample(code: str, task_id: str, sample_id: str = "s", *, label: str = "python",
           **extra: Any) -> dict[str, Any]:
    """A Nova sample whose response holds `code` in a fence labelled `label`."""
    return {"id": sample_id, "messages": assistant(fenced(code, label)),
            "reference_answer": {"task_id": task_id, **extra}}


def call_job(code: str, entry: str, *arg_lists: list[Any], **limits: Any) -> Any:
    """A Job calling `entry` once per argument list."""
    from verifier.sandbox.base import Job, TestInput
    from verifier.settings import Limits

    tests = tuple(TestInput(index=n, kind="call", args=args) for n, args in enumerate(arg_lists))
    return Job(code=code, entry_point=entry, tests=tests, limits=Limits(**limits))


def stdio_job(code: str, *inputs: str, **limits: Any) -> Any:
    """A Job running the whole program once per input."""
    from verifier.sandbox.base import Job, TestInput
    from verifier.settings import Limits

    tests = tuple(TestInput(index=n, kind="stdio", stdin=text) for n, text in enumerate(inputs))
    return Job(code=code, tests=tests, limits=Limits(**limits))


def _parents() -> dict[int, int]:
    from verifier.sandbox.runner.sweep import process_table

    return {pid: ppid for pid, (ppid, _) in process_table().items()}


def stray_processes() -> set[int]:
    """Sandbox processes of this test process that should not exist when no job runs.

    Allowed: zygotes (started by this process, and under a PID namespace the
    zygote's own child, init of the namespace) and one child per serving
    zygote, the spare forked ahead of the next job. Anything else is a
    stray: a job's process, or an orphan, that outlived its job.
    """
    import os

    ours = set(sandbox_processes())
    parents = _parents()
    outer = {pid for pid in ours if parents.get(pid) == os.getpid()}
    inner = {pid for pid in ours if parents.get(pid) in outer
             and sum(1 for p in ours if parents.get(p) == parents[pid]) == 1
             and any(parents.get(p) == pid for p in ours)}
    servers = (outer - {parents[pid] for pid in inner}) | inner
    strays = set()
    for pid in ours - outer - inner:
        siblings = [p for p in ours if parents.get(p) == parents.get(pid)]
        if parents.get(pid) in servers and len(siblings) == 1:
            continue  # the spare
        strays.add(pid)
    return strays


def sandbox_processes() -> list[int]:
    """Pids of zygotes and their children started by this test process.

    Only descendants of this process count: other test runs on the machine
    (in other checkouts) have zygotes too. Orphans of a job stay descendants,
    since they go back to their zygote (subreaper) or its PID namespace init.
    """
    import os

    parents = _parents()
    matching = []
    for pid in parents:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                cmdline = handle.read()
        except OSError:
            continue
        if b"from runner.zygote import main" in cmdline:
            matching.append(pid)
    me = os.getpid()

    def descends(pid: int) -> bool:
        for _ in range(64):
            pid = parents.get(pid, 0)
            if pid == me:
                return True
            if pid <= 1:
                return False
        return False

    return [pid for pid in matching if descends(pid)]
