"""The Nova RFT dataset example: its records point at suites the grader finds and passes."""

import json
import subprocess
import sys

from tests.helpers import ROOT, fenced


def test_nova_rft_records_point_at_suites(tmp_path, scorer, suites):
    out = tmp_path / "rft.jsonl"
    done = subprocess.run([sys.executable, "examples/nova_rft_dataset.py", "testcases/basics",
                           "testcases/stdio", "-o", str(out), "--max-tests", "3"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 32 and "at least 100" in done.stderr
    for record in records:
        assert [m["role"] for m in record["messages"]] == ["system", "user"]
        assert record["reference_answer"]["max_tests"] == 3
    # What Bedrock sends the grader: the record plus the model's answer.
    batch = [{"id": n, "messages": [*r["messages"], {"role": "assistant", "content": fenced(
        suites[r["reference_answer"]["task_id"]].reference_solution)}],
        "reference_answer": r["reference_answer"]} for n, r in enumerate(records)]
    results = scorer.evaluate(batch)
    assert [r.reward for r in results] == [1.0] * 32
    assert all(r.metrics["tests_total"] <= 3 for r in results)
    prompts = {r["reference_answer"]["task_id"]: r["messages"][1]["content"] for r in records}
    assert "standard input" in prompts["stdio/sum_two"]
    assert "`add`" in prompts["basics/add"]


def test_shipped_humaneval_scores_its_reference_and_not_a_broken_answer(scorer, suites):
    task = suites["HumanEval/25"]  # factorize: its asserts use products such as 3 * 19
    answers = [task.reference_solution,
               "def factorize(n):\n    return [n]\n"]
    batch = [{"id": n, "messages": [{"role": "assistant", "content": fenced(code)}],
              "reference_answer": {"task_id": "HumanEval/25"}} for n, code in enumerate(answers)]
    good, bad = scorer.evaluate(batch)
    assert good.reward == 1.0 and bad.reward < 1.0
    assert len(task.tests) >= 5 and all(not hasattr(t, "snippet") for t in task.tests)
