"""Reward functions for trainers that call Python directly: verl and TRL.

    verifier.integrations.verl.compute_score        verl's custom_reward_function
    verifier.integrations.verl.compute_score_batch  verl's `batch` reward manager
    verifier.integrations.trl.code_reward           a TRL GRPOTrainer reward function
    verifier.integrations.trl.CodeReward            the same, configured explicitly

Like `handler.py` and `cli.py` these are edges: they call the service and
nothing in the package imports them. Neither verl nor TRL is imported here;
the adapters only match the arguments those frameworks pass.

Where suites come from: `configure(suites=[...])` (or `scorer=`) before
training; otherwise the first call builds a scorer from the environment, as
the CLI does (`VERIFIER_SUITES`, default `./testcases`; `VERIFIER_WORKERS`,
...). A sample may also carry its whole suite inline in its reference.
"""

from .common import close, configure, get_scorer

__all__ = ["close", "configure", "get_scorer"]
