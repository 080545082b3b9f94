"""The service end to end through the real sandbox: the bar of the first issue."""

import time

import pytest

from tests.helpers import assistant, fenced, sample
from verifier.errors import InvalidRequest
from verifier.sandbox.process import ProcessOptions, ProcessSandbox
from verifier.service import Scorer, score_batch
from verifier.settings import Limits, Settings

ADD = "def add(a, b):\n    return a + b\n"


def metrics(entry):
    return {m["name"]: m["value"] for m in entry["metrics_list"]}


def test_bar_correct_wrong_partial_unparsable_malformed_in_order(scorer):
    fizz_partial = ("def fizzbuzz(n):\n    return ['Fizz' if i % 3 == 0 else 'Buzz' if i % 5 == 0"
                    " else str(i) for i in range(1, n + 1)]\n")
    batch = [
        sample(ADD, "basics/add", "correct"),
        sample("def add(a, b):\n    return a - b\n", "basics/add", "wrong"),
        sample(fizz_partial, "basics/fizzbuzz", "partial"),
        {"id": "unparsable", "messages": assistant("No idea."),
         "reference_answer": {"task_id": "basics/add"}},
        {"id": "malformed", "messages": assistant(fenced(ADD))},
    ]
    response = scorer.score(batch)
    assert [r["id"] for r in response] == ["correct", "wrong", "partial", "unparsable", "malformed"]
    rewards = [r["aggregate_reward_score"] for r in response]
    assert rewards[0] == 1.0
    assert rewards[1] < 0
    assert rewards[2] == pytest.approx(-0.5 + 1.5 * 4 / 6)
    assert rewards[3] == -1.0
    assert rewards[4] == -1.0
    assert metrics(response[4]) == {"error": 1.0}
    assert metrics(response[0])["error"] == 0.0
    for entry in response:
        assert set(entry) == {"id", "aggregate_reward_score", "metrics_list"}
        assert all(m["type"] in {"Reward", "Metric"} for m in entry["metrics_list"])


def test_metrics_of_a_scored_sample(scorer):
    (entry,) = scorer.score([sample(ADD, "basics/add")])
    got = metrics(entry)
    assert got["pass_ratio"] == 1.0
    assert got["tests_passed"] == got["tests_total"] == 7.0
    assert got["format"] == 1.0 and got["compiled"] == 1.0 and got["timeouts"] == 0.0
    assert got["runtime_ms"] > 0
    types = {m["name"]: m["type"] for m in entry["metrics_list"]}
    assert types["format"] == "Reward" and types["pass_ratio"] == "Metric"


def test_syntax_error_does_not_load(scorer):
    (entry,) = scorer.score([sample("def add(a, b)\n    return a + b", "basics/add")])
    assert entry["aggregate_reward_score"] == -0.75
    assert metrics(entry)["compiled"] == 0.0


def test_inline_suite_and_per_event_shape(scorer):
    inline = {"id": "inline", "messages": assistant(fenced("def sq(x):\n    return x * x")),
              "reference_answer": {"entry_point": "sq", "tests": [
                  {"args": [3], "expect": 9}, {"args": [4], "expect": 17}]}}
    binary = sample("def add(a, b):\n    return a + b + (a == 0)", "basics/add", "binary",
                    reward={"shape": "binary"})
    inline_entry, binary_entry = scorer.score([inline, binary])
    assert inline_entry["aggregate_reward_score"] == pytest.approx(0.25)
    assert binary_entry["aggregate_reward_score"] == 0.0


def test_inline_suite_limits_are_capped(suites, sandbox):
    settings = Settings(limits_cap=Limits(timeout_s=0.3, sample_timeout_s=2))
    with Scorer(suites, sandbox=sandbox, settings=settings) as scorer:
        code = "import time\ndef f():\n    time.sleep(5)"
        hog = {"id": "hog", "messages": assistant(fenced(code)),
               "reference_answer": {"entry_point": "f", "limits": {"timeout_s": 60},
                                    "tests": [{"args": [], "expect": None}]}}
        started = time.monotonic()
        (entry,) = scorer.score([hog])
    assert time.monotonic() - started < 3
    assert metrics(entry)["timeouts"] == 1.0


def test_bad_inline_suite_and_bad_shape_are_invalid_samples(scorer):
    bad_suite = {"id": "a", "messages": assistant(fenced("x = 1")),
                 "reference_answer": {"tests": [{"args": 1, "expect": 1}]}}
    bad_shape = sample(ADD, "basics/add", "b", reward={"shape": "cubic"})
    for entry in scorer.score([bad_suite, bad_shape]):
        assert entry["aggregate_reward_score"] == -1.0
        assert metrics(entry) == {"error": 1.0}


def test_event_that_is_not_a_list_raises(scorer):
    with pytest.raises(InvalidRequest):
        scorer.score({"id": "x"})


def test_empty_batch(scorer):
    assert scorer.score([]) == []


def test_batch_deadline_answers_every_sample_in_time(suites):
    slow = "import time\ndef add(a, b):\n    time.sleep(0.9)\n    return a + b\n"
    settings = Settings(limits=Limits(timeout_s=1.0))
    with Scorer(suites, settings=settings, sandbox=ProcessSandbox(workers=1)) as scorer:
        batch = [sample(slow, "basics/add", f"s{i}") for i in range(4)]
        started = time.monotonic()
        response = scorer.score(batch, deadline=time.monotonic() + 1.5)
        elapsed = time.monotonic() - started
        scorer.sandbox.close()
    assert elapsed < 2.0
    assert [r["id"] for r in response] == ["s0", "s1", "s2", "s3"]
    assert all(metrics(r) == {"deadline": 1.0} for r in response)
    assert all(r["aggregate_reward_score"] == -1.0 for r in response)


def test_infrastructure_failure_is_unscored_not_wrong(suites):
    broken = ProcessSandbox(workers=1, options=ProcessOptions(python="/nonexistent/python"))
    with Scorer(suites, sandbox=broken) as scorer:
        results = scorer.evaluate([sample(ADD, "basics/add")])
        response = scorer.score([sample(ADD, "basics/add")])
    broken.close()
    assert results[0].status == "unscored" and results[0].reward is None
    assert response[0]["aggregate_reward_score"] == 0.0
    assert metrics(response[0]) == {"grader_error": 1.0}


def test_score_batch_convenience(suites):
    response = score_batch([sample(ADD, "basics/add")], suites=suites, settings=Settings(workers=1))
    assert response[0]["aggregate_reward_score"] == 1.0


def test_check_runs_code_without_extraction(scorer, suites):
    suite = suites["stdio/sum_two"]
    assert scorer.check(suite, suite.reference_solution).reward == 1.0
    assert scorer.check(suite, "print(7)").reward == -0.5


def test_result_detail_explains_failures(scorer):
    (result,) = scorer.evaluate([sample("def add(a, b):\n    raise RuntimeError('nope')",
                                        "basics/add")])
    detail = result.detail()
    assert detail["status"] == "scored"
    assert set(detail["verdicts"]) == {"error"}
    assert any("RuntimeError" in text for text in detail["errors"].values())


def test_a_batch_of_64_with_4_duplicates_runs_60_programs(suites):
    from tests.helpers import sample

    unique = [sample(f"def add(a, b):\n    return a + b + {n} - {n}\n", "basics/add", f"u{n}")
              for n in range(60)]
    duplicates = [dict(unique[n], id=f"d{n}") for n in (3, 17, 17, 42)]
    with ProcessSandbox(workers=2) as box, Scorer(suites, sandbox=box) as scorer:
        response = scorer.score(unique + duplicates)
        assert box.jobs_run == 60
    cached = [metrics(entry)["cached"] for entry in response]
    assert cached.count(1.0) == 4 and cached[-4:] == [1.0] * 4
    assert all(entry["aggregate_reward_score"] == 1.0 for entry in response)


def test_the_cache_is_not_shared_across_suites_or_limits(suites, sandbox):
    code = "def add(a, b):\n    return a + b\n"
    with Scorer(suites, sandbox=sandbox) as scorer:
        first = scorer.evaluate([sample(code, "basics/add")])[0]
        again = scorer.evaluate([sample(code, "basics/add")])[0]
        other_limits = scorer.evaluate([{
            "id": "i", "messages": assistant(fenced(code)),
            "reference_answer": {"entry_point": "add", "tests": [{"args": [1, 2], "expect": 3}],
                                 "limits": {"timeout_s": 1.5}}}])[0]
    assert first.metrics["cached"] == 0.0 and again.metrics["cached"] == 1.0
    assert other_limits.metrics["cached"] == 0.0
