"""The Lambda handler in-process, with the environment and context Lambda gives it."""

import time

import pytest

from tests.helpers import TESTCASES, sample
from verifier import handler
from verifier.errors import InvalidRequest


class Context:
    def __init__(self, remaining_ms):
        self.deadline = time.monotonic() + remaining_ms / 1000

    def get_remaining_time_in_millis(self):
        return int((self.deadline - time.monotonic()) * 1000)


@pytest.fixture
def cold(monkeypatch):
    monkeypatch.setenv("VERIFIER_SUITES", str(TESTCASES))
    monkeypatch.setenv("VERIFIER_WORKERS", "1")
    monkeypatch.setattr(handler, "_scorer", None)
    yield
    if handler._scorer is not None:
        handler._scorer.close()
        handler._scorer.sandbox.close()


def test_handler_scores_a_batch(cold):
    response = handler.lambda_handler([sample("def add(a, b):\n    return a + b", "basics/add")],
                                      Context(30_000))
    assert response[0]["aggregate_reward_score"] == 1.0


def test_handler_keeps_within_the_invocation_time(cold, monkeypatch):
    monkeypatch.setenv("VERIFIER_BATCH_MARGIN_S", "0.5")
    slow = "import time\ndef add(a, b):\n    time.sleep(10)\n"
    started = time.monotonic()
    response = handler.lambda_handler([sample(slow, "basics/add", "a"),
                                       sample(slow, "basics/add", "b")], Context(2_000))
    assert time.monotonic() - started < 2.0
    assert [r["id"] for r in response] == ["a", "b"]


def test_handler_refuses_an_event_that_is_not_a_list(cold):
    with pytest.raises(InvalidRequest, match="JSON list"):
        handler.lambda_handler({"samples": []}, Context(10_000))
