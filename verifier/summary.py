"""A plain-text summary of a scored batch, for people at a terminal (pure).

It reads the Nova response entries, so it describes a batch the same way
whether `verifier score` computed it or `verifier invoke` got it back from a
deployed function.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["status_of", "summarize"]

_BINS = 8
_BAR = 40


def _metric(entry: Mapping[str, Any], name: str) -> float | None:
    for metric in entry.get("metrics_list", []):
        if isinstance(metric, dict) and metric.get("name") == name:
            value = metric.get("value")
            return float(value) if isinstance(value, int | float) else None
    return None


def status_of(entry: Mapping[str, Any]) -> str:
    """scored, invalid, unscored or deadline, read back from an entry's metrics."""
    for name, status in (("grader_error", "unscored"), ("deadline", "deadline")):
        if (_metric(entry, name) or 0.0) > 0:
            return status
    if (_metric(entry, "error") or 0.0) > 0:
        return "invalid"
    return "scored"


def _histogram(rewards: list[float]) -> list[str]:
    counts = [0] * _BINS
    for reward in rewards:
        slot = int((min(max(reward, -1.0), 1.0) + 1.0) / 2.0 * _BINS)
        counts[min(slot, _BINS - 1)] += 1
    peak = max(counts) or 1
    lines = []
    for n, count in enumerate(counts):
        low = -1.0 + 2.0 * n / _BINS
        high = low + 2.0 / _BINS
        closing = "]" if n == _BINS - 1 else ")"
        bar = "#" * (round(count / peak * _BAR) if count else 0)
        lines.append(f"  [{low:+.2f}, {high:+.2f}{closing} {count:6d} {bar}")
    return lines


def summarize(entries: Iterable[Mapping[str, Any]], *, elapsed_s: float,
              workers: int | None = None) -> str:
    """Count, states, mean reward, a reward histogram and throughput."""
    items = list(entries)
    rewards = [float(e.get("aggregate_reward_score", 0.0)) for e in items]
    states = Counter(status_of(e) for e in items)
    ratios = [r for e in items if status_of(e) == "scored"
              if (r := _metric(e, "pass_ratio")) is not None]
    rate = len(items) / elapsed_s if elapsed_s > 0 else float("inf")
    head = f"{len(items)} samples in {elapsed_s:.2f} s ({rate:.1f} samples/s"
    head += f", {workers} workers)" if workers else ")"
    lines = [
        head,
        "  " + ", ".join(f"{name} {states.get(name, 0)}"
                         for name in ("scored", "invalid", "unscored", "deadline")),
    ]
    if items:
        lines.append(f"  mean reward {sum(rewards) / len(rewards):+.3f}"
                     + (f", mean pass ratio {sum(ratios) / len(ratios):.3f} over scored samples"
                        if ratios else ""))
        lines.append("reward histogram:")
        lines.extend(_histogram(rewards))
    return "\n".join(lines)
