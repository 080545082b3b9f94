"""verl custom reward function backed by verifier, and a dataset to train with it.

1. Write the training data (verl reads Parquet; JSONL if pandas is missing):

       python examples/verl_reward.py testcases -o data/code_train.parquet

   Each row: `prompt` (chat messages), `data_source`, `ability`,
   `reward_model.ground_truth` (the reference answer as JSON text, e.g.
   '{"task_id": "basics/add"}') and `extra_info.index`.

2. Point verl at this file:

       python -m verl.trainer.main_ppo \\
           data.train_files=data/code_train.parquet \\
           custom_reward_function.path=examples/verl_reward.py \\
           custom_reward_function.name=compute_score_batch \\
           reward_model.reward_manager=batch \\
           ...

   (or `name=compute_score` with the default `naive` manager, which scores
   one response at a time; the batch form runs samples in parallel).
   `custom_reward_function.reward_kwargs.return_dict=true` adds per-sample
   metrics (pass_ratio, unscored, ...) to verl's logs.

verl loads this file in each reward worker process. The suites are found
through `VERIFIER_SUITES` (set it in the job's environment, e.g. Ray's
runtime_env) or `./testcases`; or call `configure(suites=[...])` below.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from verifier.integrations.verl import compute_score, compute_score_batch

__all__ = ["compute_score", "compute_score_batch"]

# To pin the suites here instead of the environment, uncomment:
# from verifier.integrations import configure
# configure(suites=["/path/to/testcases"])


def dataset_rows(folders: list[str], *, split: str = "train") -> list[dict[str, Any]]:
    """verl's RL dataset rows, one per suite (see verl's data preparation docs)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from nova_rft_dataset import suite_documents, task_prompt

    return [{"data_source": "verifier",
             "prompt": [{"role": "user", "content": task_prompt(doc)}],
             "ability": "code",
             "reward_model": {"style": "rule",
                              "ground_truth": json.dumps({"task_id": doc["task_id"]})},
             "extra_info": {"split": split, "index": n}}
            for n, doc in enumerate(suite_documents(folders))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a verl dataset from suite folders.")
    parser.add_argument("folders", nargs="+")
    parser.add_argument("-o", "--output", required=True, help=".parquet (needs pandas) or .jsonl")
    args = parser.parse_args(argv)
    rows = dataset_rows(args.folders)
    if args.output.endswith(".parquet"):
        import pandas as pd  # only here: the reward function itself needs no pandas

        pd.DataFrame(rows).to_parquet(args.output)
    else:
        with open(args.output, "w", encoding="utf-8") as out:
            out.writelines(json.dumps(row) + "\n" for row in rows)
    print(f"wrote {len(rows)} rows to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
