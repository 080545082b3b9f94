"""What a scored batch looked like, as numbers for metrics and bounded records for logs (pure).

The Lambda path turns every batch into one `BatchStats` (states, the reward
distribution, verdict counts, timeouts, cache hits, time per sample), which
becomes CloudWatch metrics, and one `sample_record` per sample, which becomes
a structured log line that CloudWatch Logs Insights can query. Neither ever
holds a program or its output: ids, task ids and error texts are clipped,
and everything else is a number.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from . import contract
from .errors import InvalidRequest, clip

__all__ = ["BatchStats", "ResultLike", "sample_records"]

STATES = ("scored", "invalid", "unscored", "deadline")
_ID_CHARS = 100
_ERROR_CHARS = 200


class _VerdictLike(Protocol):
    @property
    def verdict(self) -> Any: ...


class ResultLike(Protocol):
    """The parts of `service.SampleResult` read here (kept apart so this module stays pure)."""

    @property
    def id(self) -> Any: ...
    @property
    def status(self) -> str: ...
    @property
    def reward(self) -> float | None: ...
    @property
    def metrics(self) -> dict[str, float]: ...
    @property
    def verdicts(self) -> Sequence[_VerdictLike]: ...
    @property
    def error(self) -> str | None: ...


def _verdict_counts(result: ResultLike) -> Counter[str]:
    return Counter(str(getattr(v.verdict, "value", v.verdict)) for v in result.verdicts)


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchStats:
    """Counts and distributions of one batch.

    >>> BatchStats.of([], elapsed_s=0.0, unscored_reward=0.0).samples
    0
    """

    samples: int
    states: Mapping[str, int]
    """scored / invalid / unscored / deadline: how many samples ended in each."""
    rewards: tuple[float, ...]
    """The reward sent for every sample, unscored ones at the configured neutral value."""
    pass_ratios: tuple[float, ...]
    """Pass ratio of every scored sample."""
    runtimes_ms: tuple[float, ...]
    """Sandbox wall time of every scored sample whose program ran."""
    verdicts: Mapping[str, int]
    """Tests by verdict (pass, fail, error, timeout, memory, output_limit, not_run)."""
    timeouts: int
    """Tests that ran out of time."""
    cache_hits: int | None
    """Samples answered from a cache; None when no result says whether it was cached."""
    elapsed_ms: float

    @classmethod
    def of(cls, results: Sequence[ResultLike], *, elapsed_s: float,
           unscored_reward: float) -> BatchStats:
        """Summarise `results`, the outcome of one batch that took `elapsed_s`."""
        states = Counter(r.status for r in results)
        verdicts: Counter[str] = Counter()
        for result in results:
            verdicts.update(_verdict_counts(result))
        scored = [r for r in results if r.status == "scored"]
        cached = [r.metrics["cached"] for r in results if "cached" in r.metrics]
        return cls(
            samples=len(results),
            states={state: states.get(state, 0) for state in STATES},
            rewards=tuple(unscored_reward if r.reward is None else r.reward for r in results),
            pass_ratios=tuple(r.metrics.get("pass_ratio", 0.0) for r in scored),
            runtimes_ms=tuple(r.metrics["runtime_ms"] for r in scored
                              if r.metrics.get("runtime_ms", 0.0) > 0),
            verdicts=dict(sorted(verdicts.items())),
            timeouts=int(sum(r.metrics.get("timeouts", 0.0) for r in scored)),
            cache_hits=sum(1 for value in cached if value > 0) if cached else None,
            elapsed_ms=round(elapsed_s * 1000.0, 3),
        )

    def summary(self) -> dict[str, Any]:
        """The numbers of one batch as a flat, JSON-ready dict for one log line."""
        rewards = sorted(self.rewards)
        out: dict[str, Any] = {"samples": self.samples, **self.states,
                               "tests_timed_out": self.timeouts, "batch_ms": self.elapsed_ms,
                               "verdicts": dict(self.verdicts)}
        if rewards:
            out.update(reward_mean=round(sum(rewards) / len(rewards), 6),
                       reward_min=rewards[0], reward_max=rewards[-1],
                       reward_median=rewards[len(rewards) // 2])
        if self.runtimes_ms:
            out["runtime_ms_max"] = max(self.runtimes_ms)
        if self.cache_hits is not None:
            out["cache_hits"] = self.cache_hits
        return out


def _task_ids(event: Any, count: int) -> list[str | None]:
    """The task_id each sample asked for ("<inline>" for inline suites), by position."""
    try:
        samples = contract.parse_event(event)
    except InvalidRequest:
        return [None] * count
    found: list[str | None] = []
    for sample in samples:
        reference = sample.reference or {}
        task = reference.get("task_id")
        found.append(clip(task, _ID_CHARS) if isinstance(task, str)
                     else "<inline>" if "tests" in reference else None)
    return (found + [None] * count)[:count]


def sample_records(event: Any, results: Sequence[ResultLike], *,
                   unscored_reward: float) -> list[dict[str, Any]]:
    """One bounded, JSON-ready record per sample, in order, for a structured log line."""
    records = []
    for position, (result, task_id) in enumerate(
            zip(results, _task_ids(event, len(results)), strict=True)):
        metrics = result.metrics
        record: dict[str, Any] = {
            "sample_id": contract.describe_id(result.id),
            "position": position,
            "task_id": task_id,
            "status": result.status,
            "reward": unscored_reward if result.reward is None else result.reward,
        }
        for name in ("pass_ratio", "tests_passed", "tests_total", "runtime_ms", "timeouts",
                     "cached"):
            if name in metrics:
                record[name] = metrics[name]
        counts = _verdict_counts(result)
        if counts:
            record["verdicts"] = dict(sorted(counts.items()))
        if result.error:
            record["error"] = clip(result.error, _ERROR_CHARS)
        records.append(record)
    return records
