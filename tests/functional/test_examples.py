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
