import math

import pytest

from verifier.compare import CompareSpec, outputs_match, values_match
from verifier.errors import InvalidRequest

LINES = CompareSpec()


@pytest.mark.parametrize(("expected", "actual", "same"), [
    ("3\n", "3", True),
    ("3\n", "3\n\n\n", True),
    ("1 2\n3\n", "1   2 \n 3\n", True),
    ("1\n2\n", "1\n", False),             # a missing line fails
    ("1\n", "1\n2\n", False),             # an extra line fails
    ("1\n2\n", "1 2\n", False),           # the line count is kept
    ("\n1\n", "1\n", False),              # a leading blank line counts
    ("Yes\n", "yes\n", False),
])
def test_lines_rule(expected, actual, same):
    assert outputs_match(expected, actual, LINES) is same


def test_exact_rule_compares_every_byte():
    spec = CompareSpec(mode="exact")
    assert outputs_match("a\n", "a\n", spec)
    assert not outputs_match("a\n", "a", spec)
    assert not outputs_match("a b", "a  b", spec)


def test_tokens_rule_ignores_layout_only():
    spec = CompareSpec(mode="tokens")
    assert outputs_match("1 2\n3", "1\n2 3\n", spec)
    assert not outputs_match("1 2 3", "1 2", spec)


@pytest.mark.parametrize(("expected", "actual", "same"), [
    ("3.14159265", "3.141593", True),       # within 1e-6 relative
    ("3.14159265", "3.1416", False),         # 1e-3 is not enough
    ("1000000", "1000001", False),           # integers compare exactly
    ("0.0000001", "0", True),                # absolute tolerance near zero
    ("nan", "nan", True),
    ("1e9", "1000000000.0", True),
    ("abc", "abc", True),
    ("abc", "abd", False),
    ("1 2", "1", False),
])
def test_numeric_rule(expected, actual, same):
    assert outputs_match(expected, actual, CompareSpec(mode="numeric")) is same


def test_case_folding_only_when_asked():
    assert outputs_match("YES", "yes", CompareSpec(case_sensitive=False))
    assert not outputs_match("YES", "yes", CompareSpec())


@pytest.mark.parametrize(("expected", "actual", "same"), [
    (1, True, False),
    (True, 1, False),
    (True, True, True),
    (3, 3.0, True),
    ((1, 2), [1, 2], False),
    ([1, 2], [1, 2], True),
    ({"a": [1, (2,)]}, {"a": [1, (2,)]}, True),
    ({"a": 1}, {"a": 1, "b": 2}, False),
    ({1, 2}, frozenset({1, 2}), True),
    (None, 0, False),
    ("1", 1, False),
    (b"x", "x", False),
    (math.nan, math.nan, True),
    (0.1 + 0.2, 0.3, False),
    (math.inf, math.inf, True),
])
def test_values_match_is_python_equality_with_type_guards(expected, actual, same):
    assert values_match(expected, actual) is same


def test_float_tolerance_applies_inside_containers_when_asked():
    spec = CompareSpec(float_tol=True)
    assert values_match([0.3, (1.0,)], [0.1 + 0.2, (1.0000000001,)], spec)
    assert not values_match([0.3], [0.31], spec)
    assert not values_match([0.3], [0.1 + 0.2], CompareSpec())


@pytest.mark.parametrize("data", [{"mode": "fuzzy"}, {"rel_tol": -1}, {"bogus": 1}, 5,
                                  {"case_sensitive": "no"}])
def test_bad_specs_are_refused(data):
    with pytest.raises(InvalidRequest):
        CompareSpec.from_mapping(data)


def test_spec_from_mode_name():
    assert CompareSpec.from_mapping("tokens").mode == "tokens"
