"""The `verifier` command as a user runs it: a real process, real files."""

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import ROOT, sample

VERIFIER = [sys.executable, "-m", "verifier"]


def run(*args, stdin=None, cwd=ROOT):
    env = {k: v for k, v in os.environ.items() if not k.startswith("VERIFIER_")}
    return subprocess.run([*VERIFIER, *args], capture_output=True, text=True, input=stdin,
                          cwd=cwd, env=env, timeout=120)


def test_score_the_shipped_examples(tmp_path):
    out = tmp_path / "results.jsonl"
    done = run("score", "examples/batch.jsonl", "-o", str(out), "--workers", "2")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    inputs = [json.loads(line) for line in (ROOT / "examples/batch.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == [s["id"] for s in inputs]
    by_id = {r["id"]: r for r in rows}
    assert by_id["correct-add"]["aggregate_reward_score"] == 1.0
    assert by_id["no-code"]["aggregate_reward_score"] == -1.0
    assert by_id["malformed-no-reference"]["detail"]["status"] == "invalid"
    assert "samples/s" in done.stderr and "reward histogram" in done.stderr


def test_score_reads_stdin_json_list_and_writes_stdout():
    batch = json.dumps([sample("def add(a, b):\n    return a + b", "basics/add", "x")])
    done = run("score", "-", stdin=batch)
    assert done.returncode == 0, done.stderr
    (row,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert row["id"] == "x" and row["aggregate_reward_score"] == 1.0


def test_a_broken_jsonl_line_is_one_invalid_sample(tmp_path):
    good = json.dumps(sample("def add(a, b):\n    return a + b", "basics/add", "good"))
    path = tmp_path / "in.jsonl"
    path.write_text(good + "\n{broken\n" + good + "\n")
    done = run("score", str(path))
    assert done.returncode == 0
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["detail"]["status"] for r in rows] == ["scored", "invalid", "scored"]
    assert "line 2 is not valid JSON" in done.stderr


def test_unusable_input_is_a_clear_non_zero_exit(tmp_path):
    missing = run("score", str(tmp_path / "absent.jsonl"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr
    (tmp_path / "obj.json").write_text('{"id": 1}')
    (tmp_path / "bad.json").write_text("[1, 2")
    assert run("score", str(tmp_path / "bad.json")).returncode == 2
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    assert "no samples" in run("score", str(empty)).stderr
    nosuites = run("score", "examples/batch.jsonl", cwd=tmp_path)
    assert nosuites.returncode == 2


def test_validate_passes_on_shipped_suites():
    done = run("validate", "testcases")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 fail" in done.stdout


def test_validate_fails_loudly_on_a_suite_that_fails_itself(tmp_path):
    suite = {"task_id": "bad/one", "entry_point": "f", "tests": [{"args": [], "expect": 2}],
             "reference_solution": "def f():\n    return 1\n"}
    Path(tmp_path / "bad.json").write_text(json.dumps(suite))
    done = run("validate", str(tmp_path))
    assert done.returncode == 1
    assert "FAIL  bad/one" in done.stdout
    assert "failing 0: fail, fail, fail" in done.stdout


def test_invalid_suite_file_names_file_and_field(tmp_path):
    Path(tmp_path / "x.json").write_text(json.dumps({"task_id": "a", "tests": [{"args": 1}]}))
    done = run("validate", str(tmp_path))
    assert done.returncode == 2
    assert "x.json: tests[0]" in done.stderr
