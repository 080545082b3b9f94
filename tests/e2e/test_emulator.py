"""The handler under the real Lambda runtime interface emulator, as a normal process
(what `make run-local` runs): real Runtime API, real awslambdaric, real sandbox."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import (
    EXAMPLES,
    check_logs_and_metrics,
    check_mixed_answer,
    example_batch,
    invoke_cli,
    mixed_batch,
)
from tests.helpers import TESTCASES, sample, sandbox_processes
from tests.lambda_emulator import running_function
from tests.s3_server import DUMMY_ENV, s3_endpoint
from verifier.suites import load_suites

LOCAL_ENV = {"VERIFIER_SUITES": str(TESTCASES), "VERIFIER_WORKERS": "2"}


@pytest.fixture(scope="module")
def function():
    with running_function(env=LOCAL_ENV) as running:
        started = time.monotonic()
        running.invoke([sample("def add(a, b):\n    return a + b", "basics/add")])
        print(f"\nemulator, no Docker: first answer (cold start) after "
              f"{time.monotonic() - started:.3f} s")
        yield running


def test_scores_correct_wrong_and_malformed_samples(function):
    check_mixed_answer(function.invoke(mixed_batch()))


def test_every_batch_leaves_json_logs_and_emf_metrics(function):
    batch = mixed_batch()
    function.invoke(batch)
    check_logs_and_metrics(function.json_lines(), function.logs(), len(batch))
    cold = [line for line in function.json_lines() if line.get("message") == "cold start"]
    assert cold and cold[0]["suites"] > 0 and "isolation" in cold[0]


def test_an_event_that_is_not_a_list_is_a_clear_function_error(function):
    answer = function.invoke({"samples": []})
    assert answer["errorType"] == "InvalidRequest" and "list" in answer["errorMessage"]
    check_mixed_answer(function.invoke(mixed_batch()))  # and the function lives on


def test_verifier_invoke_matches_local_scoring(function, tmp_path):
    out = tmp_path / "invoked.jsonl"
    done = invoke_cli(function.endpoint_url, EXAMPLES, out, "--batch-size", "5",
                      "--concurrency", "1")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [row["id"] for row in rows] == [s["id"] for s in example_batch()]
    assert f"{len(rows)} samples in" in done.stderr and "reward histogram" in done.stderr
    local = tmp_path / "local.jsonl"
    from tests.functional.test_cli import run
    assert run("score", str(EXAMPLES), "-o", str(local), "--workers", "2").returncode == 0
    expected = {r["id"]: r["aggregate_reward_score"]
                for r in map(json.loads, local.read_text().splitlines())}
    assert {row["id"]: row["aggregate_reward_score"] for row in rows} == expected


def test_a_cold_start_loads_suites_from_s3():
    double = {"task_id": "s3only/double", "entry_point": "double",
              "tests": [{"args": [2], "expect": 4}, {"args": [-3], "expect": -6}]}
    with s3_endpoint() as s3:
        s3.client.create_bucket(Bucket="suites")
        s3.upload_folder(TESTCASES, bucket="suites", prefix="v1/")
        s3.put_json("suites", "v1/extra/double.json", double)
        env = {"VERIFIER_SUITES": "s3://suites/v1/", "VERIFIER_WORKERS": "1",
               "AWS_ENDPOINT_URL_S3": s3.url, **DUMMY_ENV}
        with running_function(env=env) as running:
            answer = running.invoke([
                sample("def double(x):\n    return 2 * x", "s3only/double", "s3"),
                sample("def add(a, b):\n    return a + b", "basics/add", "shipped")])
            cold = [line for line in running.json_lines() if line.get("message") == "cold start"]
    assert [entry["aggregate_reward_score"] for entry in answer] == [1.0, 1.0]
    assert cold[0]["sources"] == ["s3://suites/v1/"]
    assert cold[0]["suites"] == len(load_suites([TESTCASES])) + 1


def test_a_cold_start_that_cannot_read_s3_fails_init_clearly():
    env = {"VERIFIER_SUITES": "s3://suites/v1/", "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9",
           **DUMMY_ENV}
    with running_function(env=env) as running:
        answer = running.invoke([sample("def add(a, b):\n    return a + b", "basics/add")])
        logs = running.logs()
    assert answer["errorType"] == "SuiteSourceError"
    assert "s3://suites/v1/: cannot list" in answer["errorMessage"] and "after" in logs


def test_nothing_outlives_the_function():
    before = set(sandbox_processes())
    with running_function(env=LOCAL_ENV) as running:
        running.invoke(mixed_batch())
        started = set(sandbox_processes()) - before
        assert started, "the function's zygotes should be running"
    # By pid, not by a scan: once their parent is gone they are nobody's descendants.
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in started) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in started if Path(f"/proc/{pid}").exists()]
