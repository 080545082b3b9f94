"""The verl and TRL adapters, called exactly as those frameworks call them.

Neither framework is installed (they pull GPU stacks); each call below copies
the arguments the framework passes: verl's reward managers call
`compute_score(data_source=, solution_str=, ground_truth=, extra_info=)` or,
batched, the plural names, with `reward_kwargs` from the config merged in,
after loading the function from a file path; TRL's GRPOTrainer calls
`reward_func(prompts=, completions=, completion_ids=, trainer_state=, **columns)`
and reads the function's `__name__`.
"""

import importlib.util
import json
import threading

import pytest

from tests.helpers import ROOT, fenced
from verifier import integrations
from verifier.errors import InvalidRequest
from verifier.integrations import trl, verl
from verifier.sandbox.process import ProcessOptions, ProcessSandbox
from verifier.service import Scorer

ADD = "def add(a, b):\n    return a + b\n"
WRONG = "def add(a, b):\n    return a - b\n"


@pytest.fixture(autouse=True)
def shared(scorer):
    """The adapters use the session's scorer; nothing outlives the test."""
    integrations.configure(scorer=scorer)
    yield scorer
    integrations.close()


def load_like_verl(path, name):
    """verl's get_custom_reward_fn: import the file by path, take the function by name."""
    spec = importlib.util.spec_from_file_location("custom_module", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    raw_fn = getattr(module, name)
    reward_kwargs = {"return_dict": True}

    def wrapped(*args, **kwargs):  # extra kwargs from the config take precedence
        return raw_fn(*args, **{**kwargs, **reward_kwargs})

    return raw_fn, wrapped


@pytest.mark.parametrize("ground_truth", [
    "basics/add",
    '{"task_id": "basics/add"}',
    {"task_id": "basics/add", "tests": None, "max_tests": None},  # a Parquet struct row
])
def test_verl_naive_manager_call(ground_truth):
    right = verl.compute_score(data_source="verifier", solution_str=fenced(ADD),
                               ground_truth=ground_truth, extra_info={"index": 3, "num_turns": 0})
    wrong = verl.compute_score(data_source="verifier", solution_str=fenced(WRONG),
                               ground_truth=ground_truth, extra_info={})
    assert right == 1.0 and isinstance(wrong, float) and wrong < 1.0


def test_verl_loads_the_example_file_and_merges_reward_kwargs():
    path = ROOT / "examples" / "verl_reward.py"
    raw, wrapped = load_like_verl(path, "compute_score")
    assert raw is verl.compute_score
    good = wrapped(data_source="verifier", solution_str=fenced(ADD),
                   ground_truth='{"task_id": "basics/add"}', extra_info={"index": 0})
    bad = wrapped(data_source="verifier", solution_str="no code at all",
                  ground_truth='{"task_id": "basics/add"}', extra_info={"index": 1})
    # verl gathers every key into a column: the same keys for every sample.
    assert set(good) == set(bad) and good["score"] == 1.0 and good["pass_ratio"] == 1.0
    assert bad["score"] == -1.0 and bad["unscored"] == 0.0


def test_verl_batch_manager_call_on_the_example_dataset(tmp_path):
    path = ROOT / "examples" / "verl_reward.py"
    module_fn, _ = load_like_verl(path, "compute_score_batch")
    spec = importlib.util.spec_from_file_location("verl_example", path)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    rows = example.dataset_rows([str(ROOT / "testcases" / "basics")])
    suites = {json.loads(r["reward_model"]["ground_truth"])["task_id"]: r for r in rows}
    assert len(suites) == 20 and rows[0]["prompt"][0]["role"] == "user"
    from verifier.suites import load_suites

    index = load_suites([ROOT / "testcases" / "basics"])
    tasks = sorted(suites)[:6]
    answers = [fenced(index[t].reference_solution) for t in tasks] + [fenced(ADD)]
    truths = [suites[t]["reward_model"]["ground_truth"] for t in tasks] + ["basics/mean"]
    scores = module_fn(data_sources=["verifier"] * 7, solution_strs=answers,
                       ground_truths=truths, extra_infos=[suites[t]["extra_info"] for t in tasks]
                       + [{}])
    assert scores[:6] == [1.0] * 6 and scores[6] < 1.0


def test_trl_standard_and_conversational_completions():
    assert trl.code_reward.__name__ == "code_reward"
    completions = [fenced(ADD), [{"role": "assistant", "content": fenced(WRONG)}]]
    rewards = trl.code_reward(prompts=["Write add.", [{"role": "user", "content": "Write add."}]],
                              completions=completions, completion_ids=[[1, 2], [3]],
                              trainer_state=object(), task_id=["basics/add", "basics/add"],
                              difficulty=["easy", "easy"])
    assert rewards[0] == 1.0 and rewards[1] < 1.0


def test_trl_reference_column_with_an_inline_suite_and_the_example_rows():
    inline = json.dumps({"entry_point": "sq", "tests": [{"args": [3], "expect": 9}]})
    reward = trl.CodeReward(name="verifier_code")
    assert reward.__name__ == "verifier_code"
    got = reward(prompts=["p"], completions=[fenced("def sq(x):\n    return x * x")],
                 completion_ids=[[0]], trainer_state=None, reference_answer=[inline])
    assert got == [1.0]
    spec = importlib.util.spec_from_file_location("trl_example", ROOT / "examples" / "trl_grpo.py")
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    (row,) = [r for r in example.dataset_rows([str(ROOT / "testcases")])
              if r["task_id"] == "stdio/sum_two"]
    program = "a, b = map(int, input().split())\nprint(a + b)\n"
    assert example.code_reward(prompts=[row["prompt"]], completions=[fenced(program)],
                               completion_ids=[[0]], trainer_state=None,
                               task_id=[row["task_id"]]) == [1.0]


def test_trl_prepend_prompt_for_completion_style_datasets():
    reward = trl.CodeReward(prepend_prompt=True)
    got = reward(prompts=["def add(a, b):\n"], completions=["    return a + b\n"],
                 task_id=["basics/add"])
    assert got == [1.0]


def test_trl_unscored_samples_are_none_and_a_missing_column_is_clear(suites):
    broken = ProcessSandbox(workers=1, options=ProcessOptions(python="/nonexistent/python"))
    with Scorer(suites, sandbox=broken) as scorer:
        got = trl.CodeReward(scorer=scorer)(completions=[fenced(ADD)], task_id=["basics/add"])
    broken.close()
    assert got == [None]
    with pytest.raises(InvalidRequest, match="task_id"):
        trl.code_reward(completions=[fenced(ADD)], prompts=["p"], answer=["3"])


def test_adapters_are_safe_to_call_from_many_threads():
    results: list[float] = []

    def one(n):
        results.append(verl.compute_score("verifier", fenced(ADD), "basics/add", {"index": n}))

    threads = [threading.Thread(target=one, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == [1.0] * 6


def test_without_configure_the_scorer_comes_from_the_environment(monkeypatch, tmp_path):
    integrations.close()
    suite = {"task_id": "env/neg", "entry_point": "neg", "tests": [{"args": [2], "expect": -2}]}
    (tmp_path / "neg.json").write_text(json.dumps(suite))
    monkeypatch.setenv("VERIFIER_SUITES", str(tmp_path))
    monkeypatch.setenv("VERIFIER_WORKERS", "1")
    try:
        scorer = integrations.get_scorer()
        assert list(scorer.suites) == ["env/neg"] and scorer.sandbox.workers == 1
        assert integrations.get_scorer() is scorer
        assert verl.compute_score("x", fenced("def neg(x):\n    return -x"), "env/neg") == 1.0
        assert scorer.sandbox.zygote_pids()
    finally:
        integrations.close()
    assert not scorer.sandbox.zygote_pids()  # the sandbox built for it is closed with it
