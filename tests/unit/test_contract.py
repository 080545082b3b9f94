import json

import pytest

from verifier.contract import parse_event, result
from verifier.errors import InvalidRequest

REF = {"task_id": "basics/add"}


def one(raw):
    (parsed,) = parse_event([raw])
    return parsed


def test_plain_sample():
    parsed = one({"id": "a", "messages": [{"role": "user", "content": "q"},
                                          {"role": "assistant", "content": "answer"}],
                  "reference_answer": REF})
    got = (parsed.id, parsed.response, parsed.reference, parsed.problem)
    assert got == ("a", "answer", REF, None)


def test_nova_assistant_role_and_text_blocks():
    parsed = one({"id": 1, "messages": [
        {"role": "nova_assistant", "content": [{"type": "text", "text": "one"},
                                               {"type": "image", "source": {}},
                                               {"type": "text", "text": "two"}]}],
        "reference_answer": REF})
    assert parsed.response == "one\ntwo"
    assert parsed.id == 1


def test_last_assistant_turn_is_the_response():
    parsed = one({"messages": [{"role": "assistant", "content": "first"},
                               {"role": "user", "content": "again"},
                               {"role": "assistant", "content": "second"}],
                  "reference_answer": REF})
    assert parsed.response == "second"
    assert parsed.id is None


@pytest.mark.parametrize("placement", [
    {"reference_answer": json.dumps(REF)},
    {"metadata": {"reference_answer": REF}},
    {"metadata": {"reference_answer": json.dumps(REF)}},
    {"metadata": json.dumps({"reference_answer": REF})},
    {"reference_answer": "basics/add"},
])
def test_reference_answer_placements(placement):
    parsed = one({"messages": [{"role": "assistant", "content": "x"}], **placement})
    assert parsed.reference == REF
    assert parsed.problem is None


@pytest.mark.parametrize(("raw", "reason"), [
    ("not an object", "not an object"),
    ({"messages": "x", "reference_answer": REF}, "must be a list"),
    ({"messages": [{"role": "user", "content": "x"}], "reference_answer": REF}, "no assistant"),
    ({"messages": [{"role": "assistant", "content": 5}], "reference_answer": REF}, "neither text"),
    ({"messages": [{"role": "assistant", "content": "x"}]}, "no reference_answer"),
    ({"messages": [{"role": "assistant", "content": "x"}], "reference_answer": [1]},
     "must be an object"),
    ({"messages": [{"role": "assistant", "content": "x"}], "reference_answer": {"x": 1}},
     "neither task_id nor tests"),
])
def test_problems_are_reported_not_raised(raw, reason):
    assert reason in one(raw).problem


def test_event_that_is_not_a_list_is_an_error():
    for event in ({"samples": []}, "[]", None, 3):
        with pytest.raises(InvalidRequest, match="JSON list"):
            parse_event(event)


def test_duplicate_and_odd_ids_are_kept_in_order():
    msgs = [{"role": "assistant", "content": "x"}]
    parsed = parse_event([{"id": "d", "messages": msgs, "reference_answer": REF},
                          {"id": "d", "messages": msgs, "reference_answer": REF},
                          {"id": {"nested": True}, "messages": msgs, "reference_answer": REF}])
    assert [p.id for p in parsed] == ["d", "d", {"nested": True}]
    assert [p.position for p in parsed] == [0, 1, 2]


def test_result_shape_and_metric_types():
    entry = result("a", 0.5, {"format": 1.0, "pass_ratio": 0.5, "bad": float("nan")})
    assert entry["id"] == "a"
    assert entry["aggregate_reward_score"] == 0.5
    assert entry["metrics_list"] == [
        {"name": "format", "value": 1.0, "type": "Reward"},
        {"name": "pass_ratio", "value": 0.5, "type": "Metric"},
        {"name": "bad", "value": 0.0, "type": "Metric"},
    ]
    json.dumps(entry, allow_nan=False)
