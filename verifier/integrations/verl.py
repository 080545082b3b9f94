"""verl reward functions: `compute_score` and `compute_score_batch`.

verl loads a custom reward function from a file named in its config and
calls it with keyword arguments, one response at a time (the `naive`
reward manager) or a whole batch at once (the `batch` manager):

    compute_score(data_source=..., solution_str=..., ground_truth=..., extra_info=...)
    compute_score_batch(data_sources=..., solution_strs=..., ground_truths=...,
                        extra_infos=...)

plus any `reward_kwargs` from the config. Point verl at a file that
re-exports these (see examples/verl_reward.py):

    custom_reward_function:
      path: examples/verl_reward.py
      name: compute_score_batch        # with reward_model.reward_manager=batch

`ground_truth` is the row's `reward_model.ground_truth`: a task_id, a
`reference_answer` object, or that object as JSON text (an inline suite
works too). `data_source` is not needed: the task says which suite applies.
The sample id, which seeds test subsampling, is `extra_info["index"]` in
`compute_score` (so every rollout of one prompt runs the same tests) and the
position in the batch in `compute_score_batch` (ids in one batch must differ).

verl has no way to mask a reward, so a sample our infrastructure could not
score gets the service's `unscored_reward` (0.0 by default) and is logged;
with `return_dict=True` (a reward kwarg) the result is verl's dict form,
`{"score": ..., "unscored": 1.0, ...}`, with the same keys for every sample
(verl gathers each key into one column), so such samples can be filtered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..service import SampleResult
from .common import get_scorer, to_sample

__all__ = ["compute_score", "compute_score_batch"]

_DETAIL_METRICS = ("pass_ratio", "tests_passed", "tests_total", "compiled", "format", "timeouts")


def _index(extra_info: Any) -> Any:
    index = extra_info.get("index") if isinstance(extra_info, Mapping) else None
    return 0 if index is None else index  # an id, so the service does not warn of none


def _value(result: SampleResult, unscored_reward: float, return_dict: bool
           ) -> float | dict[str, float]:
    score = result.reward if result.reward is not None else unscored_reward
    if not return_dict:
        return score
    out = {"score": score}
    out.update({name: float(result.metrics.get(name, 0.0)) for name in _DETAIL_METRICS})
    out["unscored"] = 1.0 if result.status == "unscored" else 0.0
    out["invalid"] = 1.0 if result.status in ("invalid", "deadline") else 0.0
    return out


def _messages(solution_str: Any) -> list[dict[str, Any]]:
    return [{"role": "assistant", "content": solution_str}]


def compute_score(data_source: Any, solution_str: str, ground_truth: Any,
                  extra_info: Any = None, *, return_dict: bool = False,
                  **reward_kwargs: Any) -> float | dict[str, float]:
    """Score one response; verl's custom reward function signature."""
    scorer = get_scorer()
    sample = to_sample(_index(extra_info), _messages(solution_str), ground_truth)
    (result,) = scorer.evaluate([sample])
    return _value(result, scorer.settings.unscored_reward, return_dict)


def compute_score_batch(data_sources: Sequence[Any], solution_strs: Sequence[str],
                        ground_truths: Sequence[Any], extra_infos: Sequence[Any] | None = None,
                        *, return_dict: bool = False, **reward_kwargs: Any
                        ) -> list[float | dict[str, float]]:
    """Score a batch at once (samples run in parallel); for verl's `batch` reward manager.

    `extra_infos` is accepted because verl passes it; nothing in it is needed.
    """
    scorer = get_scorer()
    samples = [to_sample(n, _messages(text), truth)
               for n, (text, truth) in enumerate(zip(solution_strs, ground_truths, strict=True))]
    results = scorer.evaluate(samples)
    return [_value(r, scorer.settings.unscored_reward, return_dict) for r in results]
