import pytest

from verifier.errors import InvalidRequest
from verifier.reward import Outcome, clamp, shape_from_spec, stops_on_failure


def outcome(passed, total=4, *, found=True, loaded=True):
    return Outcome(code_found=found, loaded=loaded, passed=passed, total=total)


def test_smooth_default_levels():
    shape = shape_from_spec(None)
    assert shape(outcome(0, found=False, loaded=False)) == -1.0
    assert shape(outcome(0, loaded=False)) == -0.75
    assert shape(outcome(0)) == -0.5
    assert shape(outcome(2)) == pytest.approx(0.25)
    assert shape(outcome(4)) == 1.0


def test_smooth_is_monotone_in_passes():
    shape = shape_from_spec("smooth")
    values = [shape(outcome(p, 10)) for p in range(11)]
    assert values == sorted(values)
    assert len(set(values)) == 11


def test_binary_linear_power():
    assert shape_from_spec("binary")(outcome(4)) == 1.0
    assert shape_from_spec("binary")(outcome(3)) == 0.0
    assert shape_from_spec("linear")(outcome(1)) == 0.25
    assert shape_from_spec("linear")(outcome(0, loaded=False)) == 0.0
    assert shape_from_spec({"shape": "power", "exponent": 3})(outcome(2)) == 0.125
    assert shape_from_spec("power")(outcome(2)) == 0.25


def test_smooth_parameters():
    shape = shape_from_spec({"shape": "smooth", "no_code": -0.9})
    assert shape(outcome(0, found=False, loaded=False)) == -0.9


def test_only_binary_stops_on_failure():
    assert stops_on_failure(shape_from_spec("binary"))
    assert not stops_on_failure(shape_from_spec("smooth"))


@pytest.mark.parametrize("spec", ["cubic", {"shape": "power", "exponent": -1},
                                  {"shape": "binary", "bonus": 1}, 3])
def test_bad_specs(spec):
    with pytest.raises(InvalidRequest):
        shape_from_spec(spec)


def test_zero_tests_never_counts_as_all_passed():
    assert not outcome(0, 0).all_passed
    assert shape_from_spec("binary")(outcome(0, 0)) == 0.0


def test_clamp():
    assert clamp(3) == 1.0
    assert clamp(-2) == -1.0
    assert clamp(0.5) == 0.5
