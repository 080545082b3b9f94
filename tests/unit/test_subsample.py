import pytest

from verifier.errors import InvalidRequest, SuiteError
from verifier.subsample import Selection, choose, parse_max_tests, parse_seed, selection_for
from verifier.suites import load_suite

IDS = [f"t{n}" for n in range(20)]


def pick(sample_id, ids=IDS, n=5, seed="", task_id="task"):
    return choose(ids, n, seed=seed, task_id=task_id, sample_id=sample_id)


def test_picks_n_distinct_positions_in_suite_order():
    chosen = pick("s1")
    assert len(chosen) == 5 and len(set(chosen)) == 5
    assert list(chosen) == sorted(chosen)
    assert all(0 <= n < len(IDS) for n in chosen)


def test_same_sample_same_tests_and_samples_differ():
    assert pick("s1") == pick("s1")
    subsets = {pick(f"sample-{k}") for k in range(30)}
    assert len(subsets) > 20  # 15504 possible subsets; repeats would mean a broken key


def test_every_test_gets_used_across_samples():
    used = {n for k in range(200) for n in pick(k)}
    assert used == set(range(len(IDS)))


def test_seed_task_and_id_type_all_change_the_choice():
    base = pick("1")
    assert any(pick("1", seed=str(s)) != base for s in range(5))
    assert any(pick("1", task_id=f"task{t}") != base for t in range(5))
    # The id 1 and the id "1" are different samples.
    assert any(pick(k) != pick(str(k)) for k in range(5))


def test_choice_follows_test_ids_not_positions():
    chosen_ids = {IDS[n] for n in pick("s")}
    reordered = list(reversed(IDS))
    assert {reordered[n] for n in pick("s", ids=reordered)} == chosen_ids
    # A new test does not reshuffle the old ones: at most one chosen id changes.
    grown = [*IDS, "t-new"]
    assert len(chosen_ids - {grown[n] for n in pick("s", ids=grown)}) <= 1


def test_all_tests_when_there_are_few():
    assert pick("s", ids=["a", "b"], n=5) == (0, 1)


@pytest.mark.parametrize("value", [0, -1, True, 2.5, "3", [3]])
def test_max_tests_must_be_a_positive_int(value):
    with pytest.raises(InvalidRequest):
        parse_max_tests(value)


def test_seed_may_be_text_or_int():
    assert parse_seed(7) == "7" and parse_seed("x") == "x" and parse_seed(None) == ""
    with pytest.raises(InvalidRequest):
        parse_seed(1.5)


def test_metrics_echo_the_positions():
    metrics = Selection((2, 7), 10).metrics()
    assert metrics == {"tests_available": 10.0, "test_index_0": 2.0, "test_index_1": 7.0}


def test_event_overrides_suite():
    common = {"task_id": "t", "sample_id": "s", "suite_seed": ""}
    assert selection_for(IDS, suite_max=None, reference={}, **common) is None
    from_suite = selection_for(IDS, suite_max=4, reference={}, **common)
    from_event = selection_for(IDS, suite_max=4, reference={"max_tests": 2}, **common)
    assert from_suite is not None and len(from_suite.positions) == 4
    assert from_event is not None and len(from_event.positions) == 2
    seeded = [selection_for(IDS, suite_max=4, reference={"test_seed": s}, **common)
              for s in range(5)]
    assert any(s is not None and s.positions != from_suite.positions for s in seeded)
    with pytest.raises(InvalidRequest):
        selection_for(IDS, suite_max=4, reference={"max_tests": "all"}, **common)


def suite(**extra):
    return load_suite({"task_id": "t/sq", "entry_point": "sq",
                       "tests": [{"args": [n], "expect": n * n} for n in range(12)], **extra})


def test_suite_field_and_subset_with_its_own_fingerprint():
    whole = suite(max_tests=3, test_seed="a")
    assert whole.max_tests == 3 and whole.test_seed == "a"
    part, metrics = whole.for_sample("s", {})
    assert len(part.tests) == 3 and metrics["tests_available"] == 12.0
    positions = [int(metrics[f"test_index_{n}"]) for n in range(3)]
    assert [t.id for t in part.tests] == [whole.tests[n].id for n in positions]
    assert part.fingerprint != whole.fingerprint
    assert whole.for_sample("other", {"max_tests": 100})[0] is whole


@pytest.mark.parametrize("extra", [{"max_tests": 0}, {"max_tests": "2"}, {"test_seed": 1.5}])
def test_bad_suite_fields_name_the_field(extra):
    with pytest.raises(SuiteError, match="max_tests/test_seed"):
        suite(**extra)
