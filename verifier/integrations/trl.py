"""A TRL reward function: `code_reward`, or `CodeReward(...)` configured explicitly.

TRL's GRPOTrainer calls each reward function with keyword arguments only:

    reward_func(prompts=[...], completions=[...], completion_ids=[...],
                trainer_state=..., **columns)

where `completions` are strings (standard datasets) or lists of messages
(conversational datasets: `[{"role": "assistant", "content": "..."}]`), and
every other dataset column arrives as a list with one value per completion.
It names the reward after the function's `__name__` and turns a `None`
reward into NaN, which it leaves out of the loss.

The suite comes from a `reference_answer` column (a task_id, an object or
JSON text, or a whole inline suite) or else a `task_id` column. Rewards are
the service's: in [-1, 1], the floor for an unusable row (an unknown task),
and `None` when our infrastructure could not score the sample.

    trainer = GRPOTrainer(model=..., reward_funcs=[code_reward], train_dataset=ds)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import InvalidRequest
from ..service import Scorer
from .common import get_scorer, to_sample

__all__ = ["CodeReward", "code_reward"]


class CodeReward:
    """A GRPOTrainer reward function scoring each completion against its row's suite.

    >>> reward = CodeReward(reference_column="ref")  # doctest: +SKIP
    >>> reward(completions=["```python\\ndef add(a, b): return a + b\\n```"],
    ...        ref=[{"task_id": "basics/add"}])  # doctest: +SKIP
    [1.0]

    `scorer`: the Scorer to use (default: the adapters' shared one, see
    `verifier.integrations.configure`). Each completion's sample id (which
    seeds test subsampling) is its position in the batch. `prepend_prompt`:
    score `prompt + completion`, for completion-style datasets whose prompt
    is the start of the program (HumanEval prompts).
    """

    def __init__(self, *, scorer: Scorer | None = None,
                 reference_column: str = "reference_answer", task_id_column: str = "task_id",
                 prepend_prompt: bool = False,
                 name: str = "code_reward") -> None:
        self.scorer = scorer
        self.reference_column = reference_column
        self.task_id_column = task_id_column
        self.prepend_prompt = prepend_prompt
        self.__name__ = name  # TRL names the reward's logs after it

    def _references(self, columns: dict[str, Any], count: int) -> Sequence[Any]:
        for column in (self.reference_column, self.task_id_column):
            values = columns.get(column)
            if values is not None:
                if len(values) != count:
                    raise InvalidRequest(f"column {column!r} has {len(values)} values for "
                                         f"{count} completions")
                return list(values)
        raise InvalidRequest(
            f"no {self.reference_column!r} or {self.task_id_column!r} column among the dataset "
            f"columns {sorted(k for k in columns if k != 'trainer_state')}")

    def _messages(self, completion: Any, prompt: Any) -> Any:
        if isinstance(completion, str):
            text = prompt + completion if self.prepend_prompt and isinstance(prompt, str) \
                else completion
            return [{"role": "assistant", "content": text}]
        return completion  # conversational: already a list of messages

    def __call__(self, completions: Sequence[Any], prompts: Sequence[Any] | None = None,
                 **columns: Any) -> list[float | None]:
        references = self._references(columns, len(completions))
        prompt_list = list(prompts) if prompts is not None else [None] * len(completions)
        samples = [to_sample(n, self._messages(completion, prompt_list[n]), references[n])
                   for n, completion in enumerate(completions)]
        scorer = self.scorer or get_scorer()
        return [result.reward for result in scorer.evaluate(samples)]


def code_reward(completions: Sequence[Any], prompts: Sequence[Any] | None = None,
                **columns: Any) -> list[float | None]:
    """Reward each completion against the suite its row's `reference_answer` names."""
    return CodeReward()(completions, prompts=prompts, **columns)
