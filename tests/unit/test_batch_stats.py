import json

from verifier.batch_stats import BatchStats, sample_records
from verifier.judge import TestVerdict, Verdict
from verifier.service import SampleResult


def scored(sample_id, reward, verdicts, runtime_ms=5.0, **extra):
    passed = sum(v is Verdict.PASS for v in verdicts)
    metrics = {"pass_ratio": passed / len(verdicts), "tests_passed": float(passed),
               "tests_total": float(len(verdicts)), "runtime_ms": runtime_ms,
               "timeouts": float(sum(v is Verdict.TIMEOUT for v in verdicts)), **extra}
    return SampleResult(sample_id, "scored", reward, metrics,
                        tuple(TestVerdict(str(n), v) for n, v in enumerate(verdicts)))


BATCH = [
    scored("a", 1.0, [Verdict.PASS, Verdict.PASS]),
    scored("b", -0.5, [Verdict.FAIL, Verdict.TIMEOUT], runtime_ms=2000.0),
    SampleResult("c", "invalid", -1.0, {"error": 1.0}, error="no reference_answer"),
    SampleResult("d", "unscored", None, {"grader_error": 1.0}, error="sandbox failed"),
    SampleResult("e", "deadline", -1.0, {"deadline": 1.0}, error="batch deadline reached"),
]
EVENT = [{"id": "a", "reference_answer": {"task_id": "basics/add"}},
         {"id": "b", "reference_answer": {"tests": [{"assert": "pass"}]}},
         {"id": "c"}, {"id": "d", "reference_answer": {"task_id": "x" * 500}}, "not a sample"]


def test_counts_states_verdicts_and_timeouts():
    stats = BatchStats.of(BATCH, elapsed_s=2.5, unscored_reward=0.0)
    assert stats.samples == 5
    assert stats.states == {"scored": 2, "invalid": 1, "unscored": 1, "deadline": 1}
    assert stats.verdicts == {"fail": 1, "pass": 2, "timeout": 1}
    assert stats.timeouts == 1
    assert stats.elapsed_ms == 2500.0


def test_distributions_use_the_rewards_sent_and_scored_samples_only():
    stats = BatchStats.of(BATCH, elapsed_s=1.0, unscored_reward=0.25)
    assert stats.rewards == (1.0, -0.5, -1.0, 0.25, -1.0)
    assert stats.pass_ratios == (1.0, 0.0)
    assert stats.runtimes_ms == (5.0, 2000.0)
    summary = stats.summary()
    assert summary["reward_min"] == -1.0 and summary["reward_max"] == 1.0
    assert summary["runtime_ms_max"] == 2000.0
    assert json.dumps(summary)


def test_cache_hits_are_absent_until_results_report_them():
    assert BatchStats.of(BATCH, elapsed_s=1.0, unscored_reward=0.0).cache_hits is None
    assert "cache_hits" not in BatchStats.of(BATCH, elapsed_s=1.0, unscored_reward=0.0).summary()
    cached = [scored("x", 1.0, [Verdict.PASS], cached=1.0), scored("y", 1.0, [Verdict.PASS],
                                                                    cached=0.0)]
    assert BatchStats.of(cached, elapsed_s=1.0, unscored_reward=0.0).cache_hits == 1


def test_an_empty_batch_has_no_distribution():
    stats = BatchStats.of([], elapsed_s=0.1, unscored_reward=0.0)
    assert stats.samples == 0 and "reward_mean" not in stats.summary()


def test_sample_records_carry_numbers_and_bounded_text_only():
    long_error = "Traceback: " + "secret output " * 1000
    results = [*BATCH[:3], SampleResult("d" * 400, "unscored", None, {"grader_error": 1.0},
                                        error=long_error), BATCH[4]]
    records = sample_records(EVENT, results, unscored_reward=0.0)
    assert [r["position"] for r in records] == [0, 1, 2, 3, 4]
    assert [r["task_id"] for r in records[:3]] == ["basics/add", "<inline>", None]
    assert records[0]["verdicts"] == {"pass": 2} and records[0]["reward"] == 1.0
    assert records[3]["reward"] == 0.0 and records[3]["status"] == "unscored"
    assert len(records[3]["task_id"]) < 150 and len(records[3]["sample_id"]) < 150
    assert len(records[3]["error"]) < 300 and "more chars cut" in records[3]["error"]
    assert all(len(json.dumps(record)) < 1000 for record in records)


def test_sample_records_survive_an_event_that_is_not_a_list():
    records = sample_records({"not": "a list"}, BATCH[:1], unscored_reward=0.0)
    assert records[0]["task_id"] is None and records[0]["sample_id"] == "a"
