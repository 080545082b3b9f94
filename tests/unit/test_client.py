"""The batch client's own logic: batching, order, retries, failed batches.

A stand-in Lambda client is enough here (the invocations themselves are
exercised against the real emulator and the image in tests/e2e)."""

import io
import json
import threading
import time

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from verifier.aws import RetryPolicy, describe_error, is_transient
from verifier.client import BatchClient, InvokeOptions, plan_batches
from verifier.errors import InvalidRequest

FAST = RetryPolicy(attempts=3, initial_wait_s=0.001, max_wait_s=0.01)


def client_error(code, status):
    return ClientError({"Error": {"Code": code, "Message": "m"},
                        "ResponseMetadata": {"HTTPStatusCode": status}}, "Invoke")


class StandIn:
    """Answers like Lambda: one entry per sample, reward = the sample's "r"; scripted faults."""

    def __init__(self, faults=(), delays=None):
        self.faults = list(faults)
        self.delays = delays or {}
        self.calls = 0
        self.lock = threading.Lock()

    def invoke(self, FunctionName, InvocationType, Payload):
        batch = json.loads(Payload)
        with self.lock:
            self.calls += 1
            fault = self.faults.pop(0) if self.faults else None
        time.sleep(self.delays.get(batch[0]["id"], 0.0))
        if isinstance(fault, Exception):
            raise fault
        if isinstance(fault, dict):
            return {"StatusCode": 200, "FunctionError": "Unhandled",
                    "Payload": io.BytesIO(json.dumps(fault).encode())}
        answer = [{"id": s["id"], "aggregate_reward_score": s["r"], "metrics_list": []}
                  for s in batch]
        return {"StatusCode": 200, "Payload": io.BytesIO(json.dumps(answer).encode())}


def samples(n):
    return [{"id": f"s{i}", "r": i / n} for i in range(n)]


def run(stand_in, batch, **options):
    client = BatchClient(InvokeOptions(function_name="f", retry=FAST, **options),
                         lambda_client=stand_in)
    progress = []
    result = client.run(batch, on_batch=progress.append)
    return result, progress


def test_batches_respect_count_and_payload_size():
    items = [{"id": i, "text": "x" * 100} for i in range(10)]
    assert plan_batches(items, batch_size=4) == [(0, 4), (4, 8), (8, 10)]
    one = len(json.dumps(items[0])) + 1
    assert plan_batches(items, batch_size=64, max_payload_bytes=3 * one + 2) == [
        (0, 3), (3, 6), (6, 9), (9, 10)]
    huge = [{"id": 0, "text": "y" * 1000}, {"id": 1}]
    assert plan_batches(huge, batch_size=64, max_payload_bytes=500) == [(0, 1), (1, 2)]
    assert plan_batches([], batch_size=4) == []


def test_order_is_kept_when_batches_finish_out_of_order():
    batch = samples(9)
    stand_in = StandIn(delays={"s0": 0.2, "s3": 0.1})
    result, progress = run(stand_in, batch, batch_size=3, concurrency=3)
    assert [row["id"] for row in result.rows] == [s["id"] for s in batch]
    assert [row["aggregate_reward_score"] for row in result.rows] == [s["r"] for s in batch]
    assert sorted(progress) == [3, 3, 3] and result.failed_batches == 0


def test_throttling_and_crashed_invocations_are_retried():
    faults = [client_error("TooManyRequestsException", 429),
              {"errorType": "Runtime.ExitError", "errorMessage": "signal: killed"}]
    stand_in = StandIn(faults=faults)
    result, _ = run(stand_in, samples(2), batch_size=2, concurrency=1)
    assert result.failed_batches == 0 and stand_in.calls == 3
    assert [row["aggregate_reward_score"] for row in result.rows] == [0.0, 0.5]


def test_a_batch_that_keeps_failing_comes_back_unscored_and_the_rest_scored():
    stand_in = StandIn(faults=[client_error("ServiceException", 500)] * 3)
    result, progress = run(stand_in, samples(4), batch_size=2, concurrency=1)
    assert stand_in.calls == 3 + 1 and result.failed_batches == 1 and result.batches == 2
    assert [row["detail"]["status"] for row in result.rows[:2]] == ["unscored", "unscored"]
    grader_error = {"name": "grader_error", "value": 1.0, "type": "Metric"}
    assert grader_error in result.rows[0]["metrics_list"]
    assert "ServiceException (HTTP 500)" in result.errors[0]
    assert [row["id"] for row in result.rows] == ["s0", "s1", "s2", "s3"]
    assert "detail" not in result.rows[2] and sum(progress) == 4


@pytest.mark.parametrize("fault", [
    client_error("ResourceNotFoundException", 404),
    client_error("RequestTooLargeException", 413),
    {"errorType": "InvalidRequest", "errorMessage": "the event must be a JSON list"},
])
def test_faults_that_repeat_are_not_retried(fault):
    stand_in = StandIn(faults=[fault])
    result, _ = run(stand_in, samples(1), batch_size=1, concurrency=1)
    assert stand_in.calls == 1 and result.failed_batches == 1


def test_an_answer_of_the_wrong_shape_fails_its_batch():
    class Short(StandIn):
        def invoke(self, **kwargs):
            answer = super().invoke(**kwargs)
            entries = json.loads(answer["Payload"].read())
            return {"StatusCode": 200, "Payload": io.BytesIO(json.dumps(entries[:1]).encode())}
    result, _ = run(Short(), samples(2), batch_size=2, concurrency=1)
    assert result.failed_batches == 1 and "not 2 results" in result.errors[0]


def test_transient_rule_and_descriptions():
    assert is_transient(client_error("SlowDown", 503))
    assert is_transient(client_error("TooManyRequestsException", 429))
    assert is_transient(EndpointConnectionError(endpoint_url="http://x"))
    assert not is_transient(client_error("AccessDenied", 403))
    assert not is_transient(ValueError("no"))
    assert describe_error(client_error("SlowDown", 503)) == "SlowDown (HTTP 503)"


def test_options_are_checked():
    with pytest.raises(InvalidRequest):
        InvokeOptions(function_name="")
    with pytest.raises(InvalidRequest):
        InvokeOptions(function_name="f", concurrency=0)
