"""The Nova RFT grader contract: the event in, the response out (pure).

The event is a JSON list of samples:

    [{"id": "s1",
      "messages": [{"role": "user", "content": "..."},
                   {"role": "assistant", "content": "```python\\n...```"}],
      "reference_answer": {"task_id": "basics/add"}}]

and the response is one result per sample, in the same order, ids echoed
verbatim:

    [{"id": "s1", "aggregate_reward_score": 1.0,
      "metrics_list": [{"name": "pass_ratio", "value": 1.0, "type": "Metric"}]}]

Parsing is tolerant where the documented placements differ: the last turn of
role `assistant` or `nova_assistant`; `content` as a string or a list of
`{"type": "text", "text": ...}` blocks; `reference_answer` at the top level or
under `metadata`, as an object or a JSON string (a bare string that is not
JSON is taken as a task_id). A sample that cannot be used gets a `problem`
instead of raising; only an event that is not a list raises InvalidRequest.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import InvalidRequest, clip

__all__ = ["REWARD_METRICS", "Sample", "parse_event", "result"]

_ASSISTANT_ROLES = frozenset({"assistant", "nova_assistant"})
REWARD_METRICS = frozenset({"format"})
"""Metrics reported with type "Reward"; every other one is a "Metric"."""


@dataclass(frozen=True, slots=True)
class Sample:
    """One sample of the event, parsed; `problem` says why it cannot be scored."""

    position: int
    id: Any
    response: str | None = None
    reference: dict[str, Any] | None = None
    problem: str | None = None


def _text_of(content: Any) -> str | None:
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        content = [content]
    if not isinstance(content, list):
        return None
    parts = [block["text"] for block in content
             if isinstance(block, dict) and isinstance(block.get("text"), str)
             and block.get("type", "text") == "text"]
    return "\n".join(parts) if parts or content == [] else None


def _response_of(messages: Any) -> tuple[str | None, str | None]:
    """The last assistant turn's text, or the reason there is none."""
    if not isinstance(messages, list):
        return None, "messages must be a list"
    for message in reversed(messages):
        if not isinstance(message, dict):
            continue
        role = message.get("role")
        if isinstance(role, str) and role.lower() in _ASSISTANT_ROLES:
            text = _text_of(message.get("content"))
            if text is None:
                return None, "assistant content is neither text nor text blocks"
            return text, None
    return None, "no assistant message"


def _reference_of(sample: Mapping[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    raw = sample.get("reference_answer")
    if raw is None:
        metadata = sample.get("metadata")
        if isinstance(metadata, str):
            try:
                metadata = json.loads(metadata)
            except ValueError:
                metadata = None
        if isinstance(metadata, dict):
            raw = metadata.get("reference_answer")
    if raw is None:
        return None, "no reference_answer (top level or under metadata)"
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            stripped = raw.strip()
            if stripped and len(stripped) <= 512 and "\n" not in stripped:
                return {"task_id": stripped}, None
            return None, "reference_answer is a string but not JSON"
    if not isinstance(raw, dict):
        return None, f"reference_answer must be an object, got {type(raw).__name__}"
    if "task_id" not in raw and "tests" not in raw:
        return None, "reference_answer has neither task_id nor tests"
    return raw, None


def parse_event(event: Any) -> list[Sample]:
    """Parse an event; raise InvalidRequest only when it is not a list."""
    if not isinstance(event, list):
        raise InvalidRequest(
            f"the event must be a JSON list of samples, got {type(event).__name__}")
    samples = []
    for position, raw in enumerate(event):
        if not isinstance(raw, dict):
            samples.append(Sample(position, None,
                                  problem=f"sample is not an object ({type(raw).__name__})"))
            continue
        sample_id = raw.get("id")
        response, problem = _response_of(raw.get("messages"))
        reference, ref_problem = _reference_of(raw)
        samples.append(Sample(position, sample_id, response, reference, problem or ref_problem))
    return samples


def _finite(value: float) -> float:
    return float(value) if math.isfinite(value) else 0.0


def result(sample_id: Any, reward: float, metrics: Mapping[str, float]) -> dict[str, Any]:
    """One response entry; metric types follow REWARD_METRICS."""
    return {
        "id": sample_id,
        "aggregate_reward_score": _finite(reward),
        "metrics_list": [
            {"name": name, "value": _finite(value),
             "type": "Reward" if name in REWARD_METRICS else "Metric"}
            for name, value in metrics.items()
        ],
    }


def describe_id(sample_id: Any) -> str:
    """A sample id fit for one log line."""
    return clip(sample_id, 80)
