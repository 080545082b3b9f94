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


def sample(code: str, task_id: str, sample_id: str = "s", **extra: Any) -> dict[str, Any]:
    """A Nova sample whose response holds `code` in a python fence."""
    return {"id": sample_id, "messages": assistant(fenced(code)),
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


def sandbox_processes() -> list[int]:
    """Pids of every zygote (and zygote child) of this checkout.

    Only this checkout's: other checkouts and containers on the same machine
    run zygotes of their own, which no test here started or may judge.
    """
    import os

    marker = str(ROOT / "verifier" / "sandbox").encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                cmdline = handle.read()
        except OSError:
            continue
        if b"from runner.zygote import main" in cmdline and marker in cmdline:
            found.append(int(entry))
    return found
