"""Test subsampling through the real service: the chosen tests run, and only they."""

import json
import os
import subprocess
import sys

from tests.helpers import ROOT, assistant, fenced, sample

SUITE = {"entry_point": "sq", "tests": [{"id": f"n{n}", "args": [n], "expect": n * n}
                                        for n in range(10)]}
# Right on every input but 7: the reward says whether test n7 ran.
WRONG_ON_7 = "def sq(x):\n    return -1 if x == 7 else x * x\n"


def inline(sample_id, code, **reference):
    return {"id": sample_id, "messages": assistant(fenced(code)),
            "reference_answer": {**SUITE, **reference}}


def metrics(result):
    return result.metrics


def test_only_the_chosen_tests_run_and_are_echoed(scorer):
    batch = [inline(f"s{k}", WRONG_ON_7, max_tests=3) for k in range(12)]
    results = scorer.evaluate(batch)
    saw_7 = saw_no_7 = False
    for result in results:
        got = metrics(result)
        assert got["tests_total"] == 3.0 and got["tests_available"] == 10.0
        positions = [int(got[f"test_index_{n}"]) for n in range(3)]
        assert [v.test_id for v in result.verdicts] == [f"n{p}" for p in positions]
        if 7 in positions:
            saw_7 = True
            assert result.reward < 1.0
        else:
            saw_no_7 = True
            assert result.reward == 1.0
    assert saw_7 and saw_no_7  # 12 samples of 3 out of 10: both cases occur


def test_the_choice_is_repeatable_and_absent_unless_asked(scorer):
    first, again = (scorer.evaluate([inline("same", WRONG_ON_7, max_tests=4)])[0]
                    for _ in range(2))
    assert [v.test_id for v in first.verdicts] == [v.test_id for v in again.verdicts]
    full = scorer.evaluate([inline("x", WRONG_ON_7)])[0]
    assert full.metrics["tests_total"] == 10.0 and "tests_available" not in full.metrics


def test_an_event_subsamples_a_stored_suite(scorer):
    add = "def add(a, b):\n    return a + b\n"
    (result,) = scorer.evaluate([sample(add, "basics/add", "s", max_tests=2)])
    assert result.reward == 1.0
    assert result.metrics["tests_total"] == 2.0 and result.metrics["tests_available"] == 7.0


def test_the_choice_is_the_same_in_another_process():
    code = ("import json, sys; from verifier.subsample import choose; "
            "print(json.dumps(choose([f't{n}' for n in range(50)], 7, seed='s', "
            "task_id='task', sample_id=sys.argv[1])))")
    from verifier.subsample import choose

    expected = list(choose([f"t{n}" for n in range(50)], 7, seed="s", task_id="task",
                           sample_id="abc"))
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run([sys.executable, "-c", code, "abc"], capture_output=True,
                              text=True, env=env, cwd=ROOT, timeout=60, check=True)
        assert json.loads(done.stdout) == expected
