"""The Lambda container image, built with make's script and run with Docker like Lambda runs it:
read-only root file system, writable /tmp only, as root and as an unprivileged uid,
invoked over HTTP through the emulator the image carries."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.e2e.conftest import (
    EXAMPLES,
    check_logs_and_metrics,
    check_mixed_answer,
    example_batch,
    invoke_cli,
    mixed_batch,
)
from tests.helpers import ROOT, TESTCASES, sample
from tests.lambda_emulator import INVOKE_PATH, json_lines, post_invocation, wait_for_http
from tests.s3_server import DUMMY_ENV, s3_endpoint

# `make image-test` names the image it built; otherwise this checkout builds
# its own tag (other checkouts on this machine build theirs beside it).
GIVEN_IMAGE = os.environ.get("LAMBDA_IMAGE", "")
MEASUREMENTS = ROOT / "build" / "lambda-image" / "measurements.json"
UNPRIVILEGED = "12345:12345"


@pytest.fixture(scope="module")
def image() -> str:
    if GIVEN_IMAGE:
        return GIVEN_IMAGE
    tag = "verifier-lambda:test-" + hashlib.sha1(str(ROOT).encode()).hexdigest()[:10]
    env = dict(os.environ, IMAGE=tag, PYTHON=sys.executable)
    done = subprocess.run([str(ROOT / "lambda_container" / "build.sh")], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr[-3000:]
    return tag


@dataclass
class Container:
    name: str
    url: str
    endpoint_url: str

    def invoke(self, event: Any, timeout_s: float = 120.0) -> Any:
        return post_invocation(self.url, event, timeout_s)

    def logs(self) -> str:
        done = subprocess.run(["docker", "logs", self.name], capture_output=True, text=True,
                              timeout=60)
        return done.stdout + done.stderr

    def json_lines(self) -> list[dict[str, Any]]:
        return json_lines(self.logs())


@contextlib.contextmanager
def running(image: str, *options: str, env: dict[str, str] | None = None) -> Iterator[Container]:
    """The image as Lambda runs it: read-only, /tmp writable, our name prefix; removed after."""
    name = f"verifier-lambda-test-{uuid.uuid4().hex[:12]}"
    command = ["docker", "run", "--detach", "--name", name, "--publish", "127.0.0.1::8080",
               "--read-only", "--tmpfs", "/tmp:rw,exec,size=512m", "--memory", "2g",
               "--env", "VERIFIER_WORKERS=2", *options]
    for key, value in (env or {}).items():
        command += ["--env", f"{key}={value}"]
    try:
        subprocess.run([*command, image], check=True, capture_output=True, timeout=120)
        published = subprocess.run(["docker", "port", name, "8080/tcp"], check=True,
                                   capture_output=True, text=True, timeout=60).stdout
        port = int(published.splitlines()[0].rsplit(":", 1)[1])
        wait_for_http(f"http://127.0.0.1:{port}/", timeout_s=30)
        yield Container(name, f"http://127.0.0.1:{port}{INVOKE_PATH}", f"http://127.0.0.1:{port}")
    finally:
        subprocess.run(["docker", "rm", "--force", name], capture_output=True, timeout=120)


def test_the_image_scores_correct_wrong_and_malformed_samples(image):
    started = time.monotonic()
    with running(image) as container:
        check_mixed_answer(container.invoke(mixed_batch()))
        first_s = time.monotonic() - started
        warm = time.monotonic()
        check_mixed_answer(container.invoke(mixed_batch()))
        warm_s = time.monotonic() - warm
        logs = container.logs()
        check_logs_and_metrics(container.json_lines(), logs, len(mixed_batch()))
    init = re.search(r"INIT REPORT\(durationMs: ([0-9.]+)\)", logs)
    size = int(subprocess.run(["docker", "image", "inspect", "--format", "{{.Size}}", image],
                              capture_output=True, text=True, check=True).stdout)
    measured = {"image": image, "image_bytes": size, "image_mb": round(size / 1e6, 1),
                "container_start_to_first_answer_s": round(first_s, 3),
                "init_duration_ms": float(init.group(1)) if init else None,
                "warm_batch_s": round(warm_s, 3), "batch_size": len(mixed_batch())}
    MEASUREMENTS.parent.mkdir(parents=True, exist_ok=True)
    MEASUREMENTS.write_text(json.dumps(measured, indent=2) + "\n")
    print(f"\nimage measurements: {json.dumps(measured)}")
    assert init is not None, "the emulator reported no init phase"


def test_the_image_runs_as_an_unprivileged_user_like_lambda(image):
    with running(image, "--user", UNPRIVILEGED) as container:
        check_mixed_answer(container.invoke(mixed_batch()))
        cold = [line for line in container.json_lines() if line.get("message") == "cold start"]
    assert cold[0]["isolation"]["uid_drop"] is False  # nobody to drop to without root


def test_verifier_invoke_scores_the_example_batch_through_the_image(image, tmp_path):
    out = tmp_path / "results.jsonl"
    with running(image, "--user", UNPRIVILEGED) as container:
        done = invoke_cli(container.endpoint_url, EXAMPLES, out, "--concurrency", "1")
    assert done.returncode == 0, done.stderr
    rows = {row["id"]: row for row in map(json.loads, out.read_text().splitlines())}
    assert list(rows) == [s["id"] for s in example_batch()]
    assert rows["correct-add"]["aggregate_reward_score"] == 1.0
    assert rows["no-code"]["aggregate_reward_score"] == -1.0
    assert rows["malformed-unknown-task"]["aggregate_reward_score"] == -1.0
    assert f"{len(rows)} samples in" in done.stderr


def test_the_image_loads_suites_from_s3(image):
    double = {"task_id": "s3only/double", "entry_point": "double",
              "tests": [{"args": [21], "expect": 42}]}
    # Bound to every interface so the container reaches it through Docker's
    # gateway; it holds only this test's throwaway objects, for seconds.
    with s3_endpoint(host="0.0.0.0") as s3:
        s3.client.create_bucket(Bucket="suites")
        s3.upload_folder(TESTCASES, bucket="suites", prefix="v2/")
        s3.put_json("suites", "v2/extra/double.json", double)
        port = s3.url.rsplit(":", 1)[1]
        env = {"VERIFIER_SUITES": "s3://suites/v2/",
               "AWS_ENDPOINT_URL_S3": f"http://host.docker.internal:{port}", **DUMMY_ENV}
        with running(image, "--add-host", "host.docker.internal:host-gateway", "--user",
                     UNPRIVILEGED, env=env) as container:
            answer = container.invoke([
                sample("def double(x):\n    return x + x", "s3only/double", "from-s3"),
                sample("def double(x):\n    return x", "s3only/double", "wrong")])
    assert answer[0]["aggregate_reward_score"] == 1.0
    assert answer[1]["aggregate_reward_score"] < 1.0
