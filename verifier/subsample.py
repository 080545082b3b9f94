"""At most N tests per sample: a seeded, deterministic, auditable choice (pure).

A suite with hundreds of tests makes every sample slow to score; running a
few of them per sample keeps the reward cheap while, over many samples,
every test still gets used. A suite (`"max_tests": 8`) or an event's
`reference_answer` (which wins) asks for it; `test_seed` varies the choice.

The choice must be reproducible by anyone auditing a training run, in any
process, on any machine: each test is ranked by the SHA-256 of (seed,
task_id, sample id, test id) and the N lowest ranks run, in suite order.
Python's `hash()` would not do (it is salted per process). Ranking by test
id, not position, keeps a test's chance independent of the others: adding a
test to a suite does not reshuffle which of the old ones a sample gets.

The chosen tests are echoed in the metrics, which carry numbers only:
`tests_available` (how many the suite has) and `test_index_0` ...
`test_index_{N-1}`, the positions (0-based, in the suite's expanded test
list) of the tests that ran. `verifier.suites.TestSuite.tests[position].id`
gives the test id back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import InvalidRequest

__all__ = ["Selection", "choose", "parse_max_tests", "parse_seed", "selection_for"]

METRIC_PREFIX = "test_index_"


def parse_max_tests(value: Any, *, where: str = "max_tests") -> int | None:
    """A positive int or None; anything else raises InvalidRequest."""
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InvalidRequest(f"{where} must be a positive integer, got {value!r}")
    return value


def parse_seed(value: Any, *, where: str = "test_seed") -> str:
    """A seed as text: a string or an integer (None is the empty seed)."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidRequest(f"{where} must be a string or an integer, got {value!r}")
    return str(value)


def _rank(key: str, test_id: str) -> bytes:
    return hashlib.sha256(f"{key}\x00{test_id}".encode()).digest()


def choose(test_ids: Sequence[str], max_tests: int, *, seed: str, task_id: str,
           sample_id: Any) -> tuple[int, ...]:
    """Positions of the tests a sample runs, ascending; all of them when there are few.

    >>> choose(["a", "b", "c"], 5, seed="", task_id="t", sample_id="s")
    (0, 1, 2)
    >>> len(choose([str(n) for n in range(10)], 3, seed="", task_id="t", sample_id=1))
    3
    """
    if max_tests >= len(test_ids):
        return tuple(range(len(test_ids)))
    # JSON, not str(): the ids 1 and "1" are different samples.
    key = json.dumps([seed, task_id, sample_id], sort_keys=True, default=repr)
    ranked = sorted(range(len(test_ids)), key=lambda n: _rank(key, test_ids[n]))
    return tuple(sorted(ranked[:max_tests]))


@dataclass(frozen=True, slots=True)
class Selection:
    """The tests one sample runs, and the metrics that echo the choice."""

    positions: tuple[int, ...]
    available: int

    def metrics(self) -> dict[str, float]:
        out = {"tests_available": float(self.available)}
        out.update({f"{METRIC_PREFIX}{n}": float(position)
                    for n, position in enumerate(self.positions)})
        return out


def selection_for(test_ids: Sequence[str], *, task_id: str, sample_id: Any,
                  suite_max: int | None, suite_seed: str,
                  reference: Mapping[str, Any]) -> Selection | None:
    """The subset for one sample, or None when neither event nor suite asks for one.

    The event's `max_tests` / `test_seed` override the suite's.
    """
    max_tests = parse_max_tests(reference.get("max_tests"), where="reference_answer.max_tests")
    if max_tests is None:
        max_tests = suite_max
    if max_tests is None:
        return None
    seed = parse_seed(reference["test_seed"], where="reference_answer.test_seed") \
        if "test_seed" in reference else suite_seed
    positions = choose(test_ids, max_tests, seed=seed, task_id=task_id, sample_id=sample_id)
    return Selection(positions, len(test_ids))
