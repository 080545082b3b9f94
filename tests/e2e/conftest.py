"""Batches and checks shared by the emulator and image tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.helpers import ROOT, sample

EXAMPLES = ROOT / "examples" / "batch.jsonl"
MARKER = "zq_marker_7f3a"
"""A string inside a program and its output: it must never reach a log line."""


def example_batch() -> list[dict[str, Any]]:
    return [json.loads(line) for line in EXAMPLES.read_text().splitlines() if line.strip()]


def mixed_batch() -> list[Any]:
    """Correct, wrong, malformed and noisy samples, with what each must score."""
    noisy = (f"import sys\nprint('{MARKER}' * 50)\nprint('{MARKER}', file=sys.stderr)\n"
             f"def add(a, b):\n    raise ValueError('{MARKER}')\n")
    return [
        sample("def add(a, b):\n    return a + b", "basics/add", "correct"),
        sample("def add(a, b):\n    return a - b", "basics/add", "wrong"),
        {"id": "malformed", "messages": [{"role": "user", "content": "hi"}]},
        sample(noisy, "basics/add", "noisy"),
        "not even an object",
    ]


def check_mixed_answer(answer: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The answer to mixed_batch(): every id in order, each reward what it must be."""
    assert [entry["id"] for entry in answer] == ["correct", "wrong", "malformed", "noisy", None]
    by_id = {entry["id"]: entry for entry in answer}
    metrics = {entry["id"]: {m["name"]: m["value"] for m in entry["metrics_list"]}
               for entry in answer}
    assert by_id["correct"]["aggregate_reward_score"] == 1.0
    assert metrics["correct"]["pass_ratio"] == 1.0
    assert -1.0 < by_id["wrong"]["aggregate_reward_score"] < 1.0
    assert metrics["wrong"]["pass_ratio"] < 1.0
    assert by_id["malformed"]["aggregate_reward_score"] == -1.0
    assert metrics["malformed"]["error"] == 1.0
    assert metrics["noisy"]["pass_ratio"] == 0.0
    assert answer[-1]["aggregate_reward_score"] == -1.0
    for entry in answer:
        assert all(m["type"] in {"Reward", "Metric"} for m in entry["metrics_list"])
    return metrics


def check_logs_and_metrics(lines: list[dict[str, Any]], raw_logs: str, batch_size: int) -> None:
    """Structured log lines per sample and per batch, an EMF blob, and no program text."""
    samples = [line for line in lines if line.get("message") == "sample result"]
    batches = [line for line in lines if line.get("message") == "batch scored"]
    assert len(samples) >= batch_size and batches
    assert {"sample_id", "status", "reward", "request_id"} <= set(samples[0])
    emf = [line for line in lines if "_aws" in line]
    assert emf, "no CloudWatch EMF blob in the function's output"
    blob = emf[-1]
    names = {m["Name"] for d in blob["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]}
    assert {"Samples", "Reward", "PassRatio", "SampleRuntime", "SamplesInvalid",
            "IsolationLayers", "BatchDuration"} <= names
    assert blob["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Verifier"
    assert len(blob["Reward"]) == batch_size
    assert MARKER not in raw_logs, "program text or output reached the logs"


def invoke_cli(endpoint_url: str, input_path: Path, output: Path, *extra: str
               ) -> subprocess.CompletedProcess[str]:
    """`verifier invoke` as a user runs it, with dummy AWS credentials for signing."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "VERIFIER_"))}
    env.update(AWS_ACCESS_KEY_ID="local", AWS_SECRET_ACCESS_KEY="local",
               AWS_DEFAULT_REGION="us-east-1")
    return subprocess.run(
        [sys.executable, "-m", "verifier", "invoke", str(input_path), "--function-name",
         "function", "--endpoint-url", endpoint_url, "-o", str(output), *extra],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
