"""The benchmark's batch: shipped suites with correct, wrong and looping programs.

Deterministic for a given seed: the same samples in the same order every
run, so two runs (or two machines) measure the same work.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..suites import StdioTest, TestSuite

__all__ = ["Workload", "build"]

SHARES = {"correct": 0.80, "wrong": 0.15, "timeout": 0.05}


@dataclass(frozen=True, slots=True)
class Workload:
    samples: list[dict[str, Any]]
    kinds: list[str]

    def counts(self) -> dict[str, int]:
        return {kind: self.kinds.count(kind) for kind in SHARES}


def _is_whole_program(suite: TestSuite) -> bool:
    return all(isinstance(test, StdioTest) for test in suite.tests)


def _program(suite: TestSuite, kind: str) -> str:
    if kind == "correct":
        return suite.reference_solution or ""
    body = "print(0)\n" if kind == "wrong" else "while True:\n    pass\n"
    if _is_whole_program(suite):
        return body
    inner = "    return None\n" if kind == "wrong" else "    while True:\n        pass\n"
    return f"def {suite.entry_point}(*args, **kwargs):\n{inner}"


def _sample(sample_id: str, task_id: str, code: str) -> dict[str, Any]:
    return {"id": sample_id,
            "messages": [{"role": "user", "content": "Solve the task."},
                         {"role": "assistant", "content": f"```python\n{code}```\n"}],
            "reference_answer": {"task_id": task_id}}


def build(suites: Mapping[str, TestSuite], *, size: int = 256, seed: int = 0) -> Workload:
    """`size` samples over the Python suites that have a reference solution."""
    usable = sorted(task for task, suite in suites.items()
                    if suite.reference_solution and suite.language == "python")
    if not usable:
        raise ValueError("no Python suite with a reference solution to benchmark")
    rng = random.Random(seed)
    kinds = [kind for kind, share in SHARES.items() for _ in range(round(size * share))]
    kinds = (kinds + ["correct"] * size)[:size]
    rng.shuffle(kinds)
    tasks = [usable[n % len(usable)] for n in range(size)]
    rng.shuffle(tasks)
    samples = [_sample(f"bench-{n}-{kind}", task, _program(suites[task], kind))
               for n, (task, kind) in enumerate(zip(tasks, kinds, strict=True))]
    return Workload(samples, kinds)
