"""Programs that try to leave something behind for the next sample."""

from tests.helpers import sample
from tests.sandbox.conftest import verdicts

ECHO = {"entry_point": "f", "tests": [{"args": [], "expect": "clean"}]}


def inline(code):
    from tests.helpers import assistant, fenced

    return {"id": "p", "messages": assistant(fenced(code)), "reference_answer": ECHO}


def score_two(scorer, first, second):
    """Score `first`, then `second` on its own; return the second's reward."""
    scorer.evaluate([inline(first)])
    (result,) = scorer.evaluate([inline(second)])
    return result


def test_background_process_is_refused_or_killed_after_its_sample(attack, sandbox):
    code = ("import os, time\ndef add(a, b):\n    if os.fork() == 0:\n        os.setsid()\n"
            "        if os.fork() == 0:\n            time.sleep(300)\n        os._exit(0)\n"
            "    return a + b\n")
    entry, result, _ = attack(code, "basics/add")
    if sandbox.layers["no_fork"]:
        assert "PermissionError" in repr(result)
    else:
        assert entry["aggregate_reward_score"] == 1.0  # the fixture finds no orphan


def test_a_marker_in_tmp_does_not_reach_the_next_sample(scorer):
    first = "import os\ntry:\n    os.mkdir('/tmp/verifier-marker')\nexcept OSError:\n    pass\n"
    first += "def f():\n    return 'clean'\n"
    second = ("import os\ndef f():\n"
              "    return 'seen' if os.path.exists('/tmp/verifier-marker') else 'clean'\n")
    assert score_two(scorer, first, second).reward == 1.0


def test_module_state_does_not_reach_the_next_sample(scorer):
    first = "import math, random\nmath.pi = 3\nrandom.seed(99)\ndef f():\n    return 'clean'\n"
    second = "import math\ndef f():\n    return 'clean' if math.pi > 3.14 else 'poisoned'\n"
    assert score_two(scorer, first, second).reward == 1.0


def test_environment_changes_do_not_reach_the_next_sample(scorer):
    first = "import os\nos.environ['VERIFIER_POISON'] = '1'\ndef f():\n    return 'clean'\n"
    second = "import os\ndef f():\n    return 'poisoned' if os.environ else 'clean'\n"
    assert score_two(scorer, first, second).reward == 1.0


def test_a_thread_left_running_does_not_reach_the_next_sample(scorer):
    first = ("import threading, time\ndef spin():\n    while True:\n        time.sleep(0.001)\n"
             "threading.Thread(target=spin).start()\ndef f():\n    return 'clean'\n")
    second = ("import threading\ndef f():\n"
              "    return 'clean' if threading.active_count() == 1 else 'x'\n")
    assert score_two(scorer, first, second).reward == 1.0


def test_random_state_is_the_same_for_every_sample(scorer):
    code = "import random\ndef f():\n    return 'clean' if random.random() == R else 'moved'\n"
    import random

    random.seed(0)
    expected = random.random()
    assert score_two(scorer, code.replace("R", repr(expected)),
                     code.replace("R", repr(expected))).reward == 1.0


def test_work_folder_is_fresh_for_every_sample(scorer):
    first = "import os\nMARK = os.getcwd()\ndef f():\n    return 'clean'\n"
    second = "import os\ndef f():\n    return 'clean' if not os.listdir('.') else 'dirty'\n"
    result = score_two(scorer, first, second)
    assert result.reward == 1.0 or "OSError" in repr(result)  # listing needs a descriptor


def test_killed_sample_does_not_disturb_its_neighbours(scorer):
    noisy = sample("def add(a, b):\n    while True:\n        pass\n", "basics/add", "noisy")
    correct = "def add(a, b):\n    return a + b\n"
    calm = [sample(correct, "basics/add", f"calm{i}") for i in range(4)]
    results = scorer.evaluate([noisy, *calm])
    assert [r.reward for r in results[1:]] == [1.0] * 4
    assert "timeout" in verdicts(results[0])
