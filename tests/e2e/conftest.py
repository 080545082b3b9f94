"""Batches and checks shared by the emulator and image tests; the Docker backend's fixtures:
its images built once per session (a no-op when current), warm pools, and a check that no
container of this test process outlives its pool."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

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
            "IsolationLayers", "BatchDuration", "isolation_seccomp"} <= names
    per_layer = [blob[name][0] for name in names if name.startswith("isolation_")]
    # Only layers count, not the probe's other facts (its Python version, say).
    assert blob["IsolationLayers"] == [sum(per_layer)]
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


# -- the Docker backend --------------------------------------------------------------

SANDBOX_BUILD_TIMEOUT_S = 3600  # the first build makes three Debian bases from the archive


@pytest.fixture(scope="session")
def sandbox_images() -> None:
    done = subprocess.run([str(ROOT / "tools" / "sandbox-images.sh")], cwd=ROOT,
                          capture_output=True, text=True, timeout=SANDBOX_BUILD_TIMEOUT_S)
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.fixture(scope="session")
def engine(sandbox_images: None) -> Any:
    from verifier.sandbox.docker import docker_client

    return docker_client()


def our_containers(engine: Any) -> list[Any]:
    """Containers this test process started (by the owner label every one carries)."""
    owner = f"{socket.gethostname()}:{os.getpid()}"
    return engine.containers.list(all=True, filters={"label": f"verifier.sandbox.owner={owner}"})


@pytest.fixture(scope="session")
def docker_sandbox(engine: Any) -> Iterator[Any]:
    from verifier.sandbox.docker import DockerSandbox

    with DockerSandbox(workers=2, client=engine) as box:
        box.warm()
        yield box
    assert our_containers(engine) == [], "the pool left containers behind"


@pytest.fixture(scope="session")
def docker_scorer(suites: Any, docker_sandbox: Any) -> Iterator[Any]:
    from verifier.service import Scorer
    from verifier.settings import Limits, Settings

    # No run cache: a sample scored again after a container was killed must run again.
    settings = Settings(limits=Limits(timeout_s=2.0, sample_timeout_s=20.0), cache_entries=0)
    with Scorer(suites, sandbox=docker_sandbox, settings=settings) as scorer:
        yield scorer


@pytest.fixture
def own_pool(engine: Any, request: Any) -> Iterator[Any]:
    """A one-worker pool with the DockerOptions given as the test's parameter."""
    from verifier.sandbox.docker import DockerOptions, DockerSandbox

    with DockerSandbox(workers=1, client=engine, options=DockerOptions(**request.param)) as box:
        yield box
