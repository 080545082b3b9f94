"""Programs that try to collect reward without solving the task."""

import pytest

from tests.sandbox.conftest import metrics, verdicts


def test_sys_exit_before_tests_does_not_load(attack):
    entry, result, _ = attack("import sys\nsys.exit(0)\ndef add(a, b):\n    return a + b\n",
                              "basics/add")
    assert entry["aggregate_reward_score"] == -0.75
    assert "SystemExit" in result.error


def test_sys_exit_in_a_whole_program_prints_nothing_and_fails(attack):
    entry, result, _ = attack("import sys\nsys.exit(0)\n", "stdio/sum_two")
    assert entry["aggregate_reward_score"] == -0.5
    assert set(verdicts(result)) == {"fail"}


def test_os_exit_at_import_does_not_load(attack):
    entry, _, _ = attack("import os\nos._exit(0)\n", "basics/add")
    assert entry["aggregate_reward_score"] == -0.75


def test_os_exit_inside_a_test_fails_that_test_only(attack):
    code = "import os\ndef add(a, b):\n    if a == 0:\n        os._exit(0)\n    return a + b\n"
    entry, result, _ = attack(code, "basics/add")
    assert verdicts(result).count("error") == 1
    assert verdicts(result).count("pass") == 6
    assert entry["aggregate_reward_score"] == pytest.approx(-0.5 + 1.5 * 6 / 7)


def test_object_whose_eq_is_always_true_fails(attack):
    code = ("class Anything:\n    def __eq__(self, other):\n        return True\n"
            "    def __ne__(self, other):\n        return False\n"
            "def fizzbuzz(n):\n    return Anything()\n")
    entry, result, _ = attack(code, "basics/fizzbuzz")
    assert entry["aggregate_reward_score"] == -0.5
    assert set(verdicts(result)) == {"fail"}


def test_int_subclass_that_passes_isinstance_fails_call_tests(attack):
    code = ("class Sly(int):\n    def __eq__(self, other):\n        return True\n"
            "    __hash__ = int.__hash__\n"
            "def add(a, b):\n    return Sly(0)\n")
    entry, result, _ = attack(code, "basics/add")
    assert set(verdicts(result)[:5]) == {"fail"}  # the five call tests; asserts are documented
    assert entry["aggregate_reward_score"] < 0


@pytest.mark.parametrize("value", ["True", "1.0", "'3'", "[3]", "None", "NotImplemented",
                                   "(lambda: 3)", "iter([3])", "type('S', (str,), {})('3')"])
def test_near_miss_types_and_non_values_fail(attack, value):
    entry, result, _ = attack(f"def add(a, b):\n    return {value}\n", "basics/add")
    assert verdicts(result)[0] == "fail"  # add(1, 2) expects the int 3
    assert entry["aggregate_reward_score"] < 0


def test_fake_passed_lines_on_stdout_are_just_wrong_output(attack):
    entry, result, _ = attack("print('PASSED')\nprint('All tests passed: 5/5')\n", "stdio/sum_two")
    assert set(verdicts(result)) == {"fail"}
    assert entry["aggregate_reward_score"] == -0.5


def test_forged_result_frames_are_refused(attack):
    code = ("import os, json, struct\n"
            "def frame(obj):\n    body = json.dumps(obj).encode()\n"
            "    return struct.pack('>I', len(body)) + body\n"
            "os.write(3, frame({'k': 'load', 'ok': True}))\n"
            "for i in range(7):\n"
            "    os.write(3, frame({'k': 'test', 'i': i, 'status': 'ok', 'value': 3}))\n"
            "os.write(3, frame({'k': 'end'}))\n"
            "def add(a, b):\n    return 0\n")
    _, result, _ = attack(code, "basics/add")
    # Forged in order, a frame is only a claimed value: of the five call tests
    # only add(1, 2) == 3 can pass, which returning 3 would have earned too.
    assert verdicts(result)[:5] == ["pass", "fail", "fail", "fail", "fail"]


def test_exit_status_is_never_a_verdict(attack):
    entry, result, _ = attack("import os\nprint(0)\nos._exit(0)\n", "stdio/sum_two")
    assert entry["aggregate_reward_score"] < 0
    assert "pass" not in verdicts(result)[:1]


def test_raising_keyboard_interrupt_is_an_error_not_a_pass(attack):
    entry, result, _ = attack("def add(a, b):\n    raise KeyboardInterrupt\n", "basics/add")
    assert set(verdicts(result)) == {"error"}
    assert metrics(entry)["pass_ratio"] == 0.0


ASSERT_ONLY = {"entry_point": "f", "tests": [{"assert": "assert f() == 42"},
                                             {"assert": "assert f() + 1 == 43"}]}
FORGE_ASSERTS = ("import os, json, struct\n"
                 "def frame(obj):\n    body = json.dumps(obj).encode()\n"
                 "    return struct.pack('>I', len(body)) + body\n"
                 "os.write(3, frame({'k': 'load', 'ok': True}))\n"
                 "os.write(3, frame({'k': 'test', 'i': 0, 'status': 'ok'}))\n"
                 "os.write(3, frame({'k': 'test', 'i': 1, 'status': 'ok'}))\n"
                 "os.write(3, frame({'k': 'end'}))\n"
                 "os._exit(0)\n"
                 "def f():\n    return 0\n")


def test_assert_tests_can_be_forged_in_the_python_runtime(scorer):
    """The documented gap (SECURITY.md): an assert runs in the program's process.

    If this starts failing, the gap is closed: update SECURITY.md.
    """
    from tests.helpers import assistant, fenced

    (result,) = scorer.evaluate([{"id": "f", "messages": assistant(fenced(FORGE_ASSERTS)),
                                  "reference_answer": ASSERT_ONLY}])
    assert result.reward == 1.0


def test_assert_tests_cannot_be_forged_in_the_restricted_runtime(scorer):
    from tests.helpers import assistant, fenced

    forge_through_io = ("def f():\n    raw = open(1, 'wb', buffering=0)\n"
                        "    pipe = type(raw)(3, 'wb')\n    pipe.write(b'x')\n    return 42\n")
    reinit = ("import sys\ndef f():\n    sys.stdout.buffer.raw.__init__(3, 'wb')\n    return 42\n")
    for code in (FORGE_ASSERTS, forge_through_io, reinit):
        reference = dict(ASSERT_ONLY, runtime="restricted")
        (result,) = scorer.evaluate([{"id": "f", "messages": assistant(fenced(code)),
                                      "reference_answer": reference}])
        assert result.reward < 1.0, code
        assert result.metrics["safety"] == 0.0


def test_a_forged_fault_frame_cannot_turn_a_wrong_answer_into_unscored(attack):
    """A driver's fault frame makes a sample unscored (neutral reward); from a program
    it must be a broken protocol, i.e. a failure, or wrong answers could dodge -0.5."""
    code = ("import os, json, struct\n"
            "body = json.dumps({'k': 'fault', 'error': 'compiler missing'}).encode()\n"
            "os.write(3, struct.pack('>I', len(body)) + body)\n"
            "def add(a, b):\n    return 0\n")
    entry, result, _ = attack(code, "basics/add")
    assert result.status == "scored"
    assert entry["aggregate_reward_score"] < 0
    assert metrics(entry)["error"] == 0.0
