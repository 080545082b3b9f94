"""`verifier invoke` when the function cannot be reached: real boto3, real sockets.

(Against a running function, the emulator and the image, see tests/e2e.)"""

import json
import os
import subprocess
import sys

from tests.helpers import ROOT, sample
from tests.lambda_emulator import free_port


def invoke(*args, region=True, cwd=ROOT):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "VERIFIER_"))}
    env.update(AWS_ACCESS_KEY_ID="local", AWS_SECRET_ACCESS_KEY="local",
               AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    if region:
        env["AWS_DEFAULT_REGION"] = "us-east-1"
    return subprocess.run([sys.executable, "-m", "verifier", "invoke", *args],
                          capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


def test_without_a_region_it_says_so_and_exits_2(tmp_path):
    batch = tmp_path / "in.jsonl"
    batch.write_text(json.dumps(sample("def add(a, b):\n    return a + b", "basics/add")) + "\n")
    done = invoke(str(batch), "--function-name", "f", region=False)
    assert done.returncode == 2
    assert "cannot create the Lambda client" in done.stderr and "region" in done.stderr


def test_an_unreachable_function_leaves_every_sample_unscored_in_order(tmp_path):
    batch = tmp_path / "in.jsonl"
    ids = ["a", "b", "c"]
    batch.write_text("".join(json.dumps(sample("x = 1", "basics/add", i)) + "\n" for i in ids))
    out = tmp_path / "out.jsonl"
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    done = invoke(str(batch), "--function-name", "f", "--endpoint-url", closed,
                  "--batch-size", "2", "-o", str(out))
    assert done.returncode == 1
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [row["id"] for row in rows] == ids
    assert all(row["detail"]["status"] == "unscored" for row in rows)
    assert all(row["aggregate_reward_score"] == 0.0 for row in rows)
    assert "2 of 2 batches failed" in done.stderr and "EndpointConnectionError" in done.stderr
    assert "unscored 3" in done.stderr
