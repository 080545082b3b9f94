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
