from tests.helpers import TESTCASES
from verifier.benchmark.workload import SHARES, build
from verifier.suites import load_suites

INDEX = load_suites([TESTCASES])


def test_workload_is_deterministic_and_mixed():
    first, second = build(INDEX, size=100, seed=3), build(INDEX, size=100, seed=3)
    assert first.samples == second.samples
    counts = first.counts()
    assert sum(counts.values()) == 100
    assert {kind: round(100 * share) for kind, share in SHARES.items()} == counts
    assert build(INDEX, size=100, seed=4).samples != first.samples


def test_every_sample_references_a_suite_and_carries_code():
    load = build(INDEX, size=40)
    for sample, kind in zip(load.samples, load.kinds, strict=True):
        task = sample["reference_answer"]["task_id"]
        assert task in INDEX
        assert "```python" in sample["messages"][-1]["content"]
        assert kind in sample["id"]
