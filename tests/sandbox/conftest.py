"""Every attack is followed by a health check: no stray process, next sample scores 1.0."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.helpers import sample, stray_processes

BENIGN = sample("def add(a, b):\n    return a + b\n", "basics/add", "benign")


def metrics(entry: dict[str, Any]) -> dict[str, float]:
    return {m["name"]: m["value"] for m in entry["metrics_list"]}


def verdicts(result: Any) -> list[str]:
    return [v.verdict.value for v in result.verdicts]


@pytest.fixture
def attack(scorer: Any, sandbox: Any) -> Iterator[Callable[..., Any]]:
    """Score one hostile sample; return (entry, detail, seconds)."""

    def run(code: str, task_id: str, *, label: str = "python",
            **reference: Any) -> tuple[dict[str, Any], Any, float]:
        started = time.monotonic()
        (result,) = scorer.evaluate([sample(code, task_id, "attack", label=label, **reference)])
        elapsed = time.monotonic() - started
        return result.to_response(scorer.settings), result, elapsed

    yield run
    sandbox.sweep()  # scorer.evaluate did too; this makes the check independent of it
    leftovers = stray_processes()
    assert not leftovers, f"processes outlived the attack: {leftovers}"
    (after,) = scorer.score([BENIGN])
    assert after["aggregate_reward_score"] == 1.0, "the next sample was not scored normally"
