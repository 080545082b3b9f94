"""Write an Amazon Nova RFT training dataset whose reference answers point at suites.

    python examples/nova_rft_dataset.py testcases -o rft_train.jsonl [--max-tests 8]

Each line is one prompt in the format Bedrock and SageMaker RFT read: the
`messages` the model sees (OpenAI chat format) and a `reference_answer` the
grader Lambda receives back with every sampled response:

    {"messages": [{"role": "system", "content": "..."},
                  {"role": "user", "content": "Write add(a, b) ..."}],
     "reference_answer": {"task_id": "basics/add"}}

The grader looks the task_id up among the suites baked into its image (or
loaded from S3), so the tests never travel with the prompt. Bedrock asks for
at least 100 records; ship the same suites folder in the Lambda image.

The prompt wording lives in `task_prompt`; the verl and TRL examples reuse it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SYSTEM = ("You are an expert Python programmer. Answer with one complete program in a single "
          "```python code block.")


def suite_documents(folders: list[str]) -> Iterator[dict[str, Any]]:
    """Every suite document under the folders, as stored (the prompt is kept there)."""
    for folder in folders:
        for path in sorted(Path(folder).rglob("*.json")):
            yield json.loads(path.read_text(encoding="utf-8"))


def task_prompt(doc: dict[str, Any]) -> str:
    """What the model is asked: the task's own words plus how it will be run."""
    text = (doc.get("prompt") or doc.get("description") or "").strip()
    entry = doc.get("entry_point")
    stdio = any("stdout" in test for test in doc["tests"])
    if text.startswith(("def ", "from ", "import ", "class ")):
        # A code stub (HumanEval): ask for the whole function, helpers included.
        return f"Complete this Python code and return all of it:\n```python\n{text}\n```"
    if stdio:
        how = "Write a Python program that reads standard input and writes standard output."
    elif entry:
        how = f"Write it in Python as a function named `{entry}`."
    else:
        how = "Write it in Python."
    return f"{text}\n\n{how}" if text else how


def records(folders: list[str], *, max_tests: int | None = None) -> Iterator[dict[str, Any]]:
    """One Nova RFT record per suite."""
    for doc in suite_documents(folders):
        reference: dict[str, Any] = {"task_id": doc["task_id"]}
        if max_tests:
            reference["max_tests"] = max_tests
        yield {"messages": [{"role": "system", "content": SYSTEM},
                            {"role": "user", "content": task_prompt(doc)}],
               "reference_answer": reference}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", help="suite folders")
    parser.add_argument("-o", "--output", required=True, help="JSONL file to write")
    parser.add_argument("--max-tests", type=int, default=None,
                        help="ask the grader to run at most this many tests per sample")
    args = parser.parse_args(argv)
    rows = list(records(args.folders, max_tests=args.max_tests))
    with open(args.output, "w", encoding="utf-8") as out:
        out.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    print(f"wrote {len(rows)} records to {args.output}", file=sys.stderr)
    if len(rows) < 100:
        print("note: Bedrock RFT asks for at least 100 training records", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
