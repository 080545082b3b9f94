"""Programs that try to exhaust time, memory, processes or output."""

from tests.sandbox.conftest import metrics, verdicts


def test_infinite_loop_times_out(attack):
    entry, result, elapsed = attack("def add(a, b):\n    while True:\n        pass\n", "basics/add")
    assert entry["aggregate_reward_score"] == -0.5
    assert verdicts(result)[:2] == ["timeout", "timeout"]
    assert metrics(entry)["timeouts"] == 2.0
    assert elapsed < 6


def test_sleeping_without_cpu_is_stopped_by_the_wall_clock(attack):
    entry, result, elapsed = attack("import time\ntime.sleep(1000)\n", "stdio/sum_two")
    assert entry["aggregate_reward_score"] == -0.5
    assert "timeout" in verdicts(result)
    assert elapsed < 6


def test_fork_bomb_is_contained(attack):
    code = ("import os\ndef add(a, b):\n    while True:\n        try:\n            os.fork()\n"
            "        except OSError:\n            pass\n")
    entry, _, elapsed = attack(code, "basics/add")
    assert entry["aggregate_reward_score"] == -0.5
    assert elapsed < 10


def test_thread_bomb_is_contained(attack):
    code = ("import threading, time\ndef add(a, b):\n    for _ in range(100000):\n"
            "        threading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n")
    entry, result, elapsed = attack(code, "basics/add")
    assert entry["aggregate_reward_score"] == -0.5
    assert set(verdicts(result)) <= {"error", "timeout", "memory", "not_run"}
    assert elapsed < 10


def test_memory_bomb_is_a_memory_verdict(attack):
    code = "def add(a, b):\n    hog = []\n    while True:\n        hog.append(bytearray(10**7))\n"
    entry, result, _ = attack(code, "basics/add")
    assert entry["aggregate_reward_score"] == -0.5
    assert "memory" in verdicts(result)


def test_stdout_flood_is_an_output_limit(attack):
    entry, result, elapsed = attack("while True:\n    print('x' * 10000)\n", "stdio/sum_two")
    assert entry["aggregate_reward_score"] == -0.5
    assert set(verdicts(result)) == {"output_limit"}
    assert elapsed < 6


def test_raw_descriptor_flood_is_an_output_limit(attack):
    _entry, result, _ = attack("import os\nwhile True:\n    os.write(1, b'y' * 65536)\n",
                              "stdio/sum_two")
    assert set(verdicts(result)) == {"output_limit"}


def test_huge_return_value_is_an_output_limit(attack):
    entry, result, elapsed = attack("def add(a, b):\n    return list(range(3 * 10**6))\n",
                                    "basics/add")
    assert entry["aggregate_reward_score"] < 0
    assert "pass" not in verdicts(result)
    assert elapsed < 15


def test_catastrophic_regex_times_out(attack):
    code = "import re\ndef add(a, b):\n    return re.match(r'(a+)+$', 'a' * 64 + 'b')\n"
    _, result, elapsed = attack(code, "basics/add")
    assert verdicts(result)[0] == "timeout"
    assert elapsed < 8


def test_stack_overflow_crash_fails_its_test_and_the_rest_still_run(attack):
    code = ("import sys\nsys.setrecursionlimit(10**9)\n"
            "def deep(n):\n    return deep(n + 1)\n"
            "def add(a, b):\n    if a == 1:\n        deep(0)\n    return a + b\n")
    _, result, _ = attack(code, "basics/add")
    assert verdicts(result)[0] in {"error", "memory", "timeout"}  # frames live on the heap in 3.11
    assert verdicts(result).count("pass") == 6


def test_frame_spam_cannot_stretch_the_deadline(attack):
    code = ("import os, json, struct, time\n"
            "def add(a, b):\n    while True:\n"
            "        body = json.dumps({'k': 'noise'}).encode()\n"
            "        os.write(3, struct.pack('>I', len(body)) + body)\n"
            "        time.sleep(0.01)\n")
    entry, _, elapsed = attack(code, "basics/add")
    assert entry["aggregate_reward_score"] < 0
    assert elapsed < 12
