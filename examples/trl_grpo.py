"""GRPO with TRL, rewarded by verifier.

    pip install trl datasets          # not dependencies of verifier
    VERIFIER_SUITES=testcases python examples/trl_grpo.py testcases \
        --model Qwen/Qwen2.5-0.5B-Instruct

The dataset is conversational: a `prompt` column of chat messages and a
`task_id` column naming each row's suite. TRL hands every non-prompt column
to the reward function, one value per completion, so `code_reward` finds the
suite itself. It returns None for a sample our infrastructure could not
score, which TRL leaves out of the loss. A `reference_answer` column (an
object or JSON text, e.g. with `max_tests`) works in place of `task_id`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from verifier.integrations.trl import code_reward


def dataset_rows(folders: list[str]) -> list[dict[str, Any]]:
    """One row per suite: the chat prompt and the task_id."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from nova_rft_dataset import SYSTEM, suite_documents, task_prompt

    return [{"prompt": [{"role": "system", "content": SYSTEM},
                        {"role": "user", "content": task_prompt(doc)}],
             "task_id": doc["task_id"]}
            for doc in suite_documents(folders)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="GRPO on suite folders with TRL.")
    parser.add_argument("folders", nargs="+")
    parser.add_argument("--model", default="Qwen/Qwen2.5-0.5B-Instruct")
    parser.add_argument("--output-dir", default="grpo-verifier")
    args = parser.parse_args(argv)
    from datasets import Dataset  # imported here: verifier does not depend on them
    from trl import GRPOConfig, GRPOTrainer

    dataset = Dataset.from_list(dataset_rows(args.folders))
    config = GRPOConfig(output_dir=args.output_dir, num_generations=8,
                        max_completion_length=512, logging_steps=1)
    trainer = GRPOTrainer(model=args.model, reward_funcs=[code_reward], args=config,
                          train_dataset=dataset)
    trainer.train()
    return 0


if __name__ == "__main__":
    sys.exit(main())
