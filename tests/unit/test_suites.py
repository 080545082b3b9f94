import json

import pytest

from tests.helpers import TESTCASES
from verifier.errors import InvalidRequest, SuiteError
from verifier.settings import Limits
from verifier.suites import (
    AssertTest,
    CallTest,
    StdioTest,
    SuiteIndex,
    load_suite,
    load_suite_file,
    load_suites,
)

BASE = {"task_id": "t/x", "entry_point": "f", "tests": [{"args": [1], "expect": 1}]}


def doc(**changes):
    data = json.loads(json.dumps(BASE))
    data.update(changes)
    return data


def test_three_kinds_of_test_and_typed_values():
    suite = load_suite(doc(tests=[
        {"args": [[1, 2]], "expect": {"__tuple__": [1, 2]}},
        {"stdin": "1\n", "stdout": "2\n"},
        {"assert": "assert f(1) == 1"},
    ]))
    call, stdio, check = suite.tests
    assert isinstance(call, CallTest) and call.expect == (1, 2)
    assert isinstance(stdio, StdioTest) and stdio.stdout == "2\n"
    assert isinstance(check, AssertTest)


def test_asserts_are_split_one_per_assertion():
    suite = load_suite(doc(tests=[{"id": "a", "assert": "assert f(1) == 1\nassert f(2) == 2"},
                                  {"assert": "x = f(1)\nassert x == 1"}]))
    assert [t.id for t in suite.tests] == ["a.0", "a.1", "1"]
    assert suite.tests[1].snippet == "assert f(2) == 2"


@pytest.mark.parametrize(("change", "field"), [
    ({"task_id": ""}, "task_id"),
    ({"tests": []}, "tests"),
    ({"tests": [{"args": 1, "expect": 1}]}, "tests[0].args"),
    ({"tests": [{"args": [], "expect": 1, "stdout": "x"}]}, "tests[0]"),
    ({"tests": [{"args": [], "expected": 1}]}, "tests[0]"),
    ({"tests": [{"args": [], "expect": {"__tuple__": 5}}]}, "tests[0].expect"),
    ({"tests": [{"stdin": 1, "stdout": "x"}]}, "tests[0].stdin"),
    ({"entry_point": None}, "entry_point"),
    ({"entry_point": "not an identifier"}, "entry_point"),
    ({"language": "cobol"}, "language"),
    ({"limits": {"timeout_s": -1}}, "limits/compare"),
    ({"compare": {"mode": "nope"}}, "limits/compare"),
    ({"colour": "red"}, "(document)"),
    ({"tests": [{"id": "a", "assert": "pass"}, {"id": "a", "assert": "pass"}]}, "tests"),
])
def test_validation_errors_name_the_field(change, field):
    with pytest.raises(SuiteError) as info:
        load_suite(doc(**change), source="suites/x.json")
    assert info.value.field == field
    assert str(info.value).startswith("suites/x.json: ")


def test_file_errors_name_the_file(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    with pytest.raises(SuiteError, match=r"broken\.json"):
        load_suite_file(path)


def test_index_by_task_id_not_file_name(tmp_path):
    (tmp_path / "whatever.json").write_text(json.dumps(doc(task_id="real/id")))
    index = load_suites([tmp_path])
    assert list(index) == ["real/id"]
    assert index["real/id"].source.endswith("whatever.json")


def test_duplicate_task_ids_are_an_error(tmp_path):
    for name in ("a.json", "b.json"):
        (tmp_path / name).write_text(json.dumps(BASE))
    with pytest.raises(SuiteError, match="also defined in"):
        load_suites([tmp_path])


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(InvalidRequest, match=r"no suite folder"):
        load_suites([tmp_path / "absent"])


def test_limits_resolve_over_defaults_and_under_the_cap():
    suite = load_suite(doc(limits={"timeout_s": 50, "memory_mb": 128}))
    limits = suite.resolve_limits(Limits(), Limits(timeout_s=5))
    assert limits.timeout_s == 5
    assert limits.memory_mb == 128
    assert limits.output_bytes == Limits().output_bytes


def test_fingerprint_follows_content():
    assert load_suite(doc()).fingerprint == load_suite(doc()).fingerprint
    assert load_suite(doc()).fingerprint != load_suite(doc(tests=[{"assert": "pass"}])).fingerprint


def test_shipped_suites_cover_every_kind_with_references():
    index = load_suites([TESTCASES])
    assert len(index) >= 25
    assert len({task.split("/")[0] for task in index}) >= 2
    kinds = {type(test) for suite in index.values() for test in suite.tests}
    assert kinds == {CallTest, StdioTest, AssertTest}
    assert all(suite.reference_solution for suite in index.values())


def test_suite_index_is_a_mapping():
    index = SuiteIndex([load_suite(BASE)])
    assert "t/x" in index and len(index) == 1
    assert index.get("missing") is None


def test_native_languages_take_stdin_stdout_tests_only():
    cpp = load_suite({"task_id": "c/x", "language": "cpp",
                      "tests": [{"stdin": "1\n", "stdout": "1\n"}]})
    assert cpp.language == "cpp"
    with pytest.raises(SuiteError, match="stdin/stdout tests only"):
        load_suite({"task_id": "c/y", "language": "javascript", "entry_point": "f",
                    "tests": [{"args": [1], "expect": 1}]})
    with pytest.raises(SuiteError, match="for Python suites"):
        load_suite({"task_id": "c/z", "language": "cpp", "setup": "import os",
                    "tests": [{"stdin": "", "stdout": ""}]})
    with pytest.raises(SuiteError, match="language"):
        load_suite({"task_id": "c/w", "language": "rust", "tests": [{"stdin": "", "stdout": ""}]})
