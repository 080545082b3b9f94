"""Assertions -> call tests, and the limited evaluator behind them: nothing is ever run."""

import ast

import pytest

from verifier.importers.asserts import call_test, convert_statements
from verifier.importers.literals import NotLiteral, evaluate


def value(source):
    return evaluate(ast.parse(source, mode="eval").body)


@pytest.mark.parametrize(("source", "expected"), [
    ("[1, 'a', None, True, 2.5]", [1, "a", None, True, 2.5]),
    ("3 * 19", 57),
    ("-2 ** 3", -8),
    ("'ab' + 'c'", "abc"),
    ("[0] * 3", [0, 0, 0]),
    ("(1,)", (1,)),
    ("{1: 'a', 'k': [2]}", {1: "a", "k": [2]}),
    ("set()", set()),
    ("frozenset([1, 2])", frozenset({1, 2})),
    ("tuple([1, 2])", (1, 2)),
    ("float('-inf')", float("-inf")),
    ("2 / 4", 0.5),
    ("10 ** 30", 10 ** 30),
    ("not []", True),
])
def test_values_datasets_write(source, expected):
    got = value(source)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize("source", [
    "x",                      # a name: could be anything at run time
    "f(1)",                   # any call but the few pure constructors
    "__import__('os')",
    "open('/etc/passwd')",
    "[i for i in range(3)]",  # comprehensions run code
    "lambda: 1",
    "10 ** 10 ** 10",         # refused before it is computed
    "'a' * 10 ** 9",
    "[0] * 10 ** 9",
    "float('nan')",           # nan never equals itself: `== nan` always fails
    "1 / 0",
    "'%s' % 1",
    "[*a]",
    "{**a}",
    "x.y",
    "...",
])
def test_everything_else_is_refused(source):
    with pytest.raises(NotLiteral):
        value(source)


def assertion(source):
    return ast.parse(source).body[0]


@pytest.mark.parametrize(("source", "test"), [
    ("assert f(1, 2) == 3", {"args": [1, 2], "expect": 3}),
    ("assert 3 == f(1, 2)", {"args": [1, 2], "expect": 3}),
    ("assert f(x=1) == (1, 2), 'msg'", {"args": [], "kwargs": {"x": 1},
                                         "expect": {"__tuple__": [1, 2]}}),
    ("assert f([1]) is True", {"args": [[1]], "expect": True}),
    ("assert f() is None", {"args": [], "expect": None}),
    ("assert candidate(2 ** 100) == {1, 2}", {"args": [2 ** 100], "expect": {"__set__": [1, 2]}}),
])
def test_call_shapes_become_call_tests(source, test):
    assert call_test(assertion(source), {"f", "candidate"}) == test


@pytest.mark.parametrize("source", [
    "assert g(1) == 2",                    # not the function under test
    "assert f(1) != 2",
    "assert f(1) == 2 == 2",
    "assert f(1) is 2",                    # identity of an int is not equality
    "assert f(x) == 1",
    "assert f(*args) == 1",
    "assert abs(f(1) - 2) < 1e-6",
    "assert f(1)",                          # truthiness is not `== True`
    "assert not f(1)",
    "assert f(1) == float('nan')",
    "x = f(1)",
])
def test_other_shapes_stay_assertions(source):
    assert call_test(assertion(source), {"f"}) is None


def body(source):
    return ast.parse(source).body


def test_leftover_assertions_each_become_one_test_and_constants_are_dropped():
    out = convert_statements(body("assert f(1) == 1\nassert f(2) > 1\nassert True, 'x'\n"
                                  "assert f(3) == 9\nassert g(1)\n"), {"f"})
    assert out.dropped == 1
    assert [t.get("assert") or t["args"] for t in out.tests] == [
        [1], [3], "assert f(2) > 1\n", "assert g(1)\n"]
    assert [t["id"] for t in out.tests] == ["0", "1", "2", "3"]


def test_mixed_statements_stay_together_in_order():
    out = convert_statements(body("import math\nx = 2\nassert f(1) == 1\n"
                                  "if x:\n    assert math.isclose(f(x), 4)\nelse:\n    pass\n"),
                             {"f"}, preamble="check = candidate\n", id_prefix="7")
    call, block = out.tests
    assert call == {"id": "7.0", "args": [1], "expect": 1}
    assert block["id"] == "7.1"
    assert block["assert"].startswith("check = candidate\nimport math\nx = 2\nif x:")
    ast.parse(block["assert"])  # still valid Python once cut out of its function


def test_statements_without_a_check_are_dropped_and_one_test_keeps_the_prefix():
    out = convert_statements(body("import math\nassert f(1) == 1\n"), {"f"}, id_prefix="3")
    assert out.tests == [{"id": "3", "args": [1], "expect": 1}]
    assert out.dropped == 1
