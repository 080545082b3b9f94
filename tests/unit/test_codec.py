import math

import pytest

from verifier.sandbox.runner.codec import MAX_DEPTH, CodecError, decode, encode


@pytest.mark.parametrize("value", [
    None, True, False, 0, -7, 10**40, 1.5, "text", "", [1, [2, 3]], (1, 2), (), {1, 2},
    frozenset({"a"}), {"a": 1}, {1: "a", (2, 3): [4]}, b"\x00\xff", 2 + 3j,
    {"__tuple__": 1}, [(1,), {2}],
])
def test_round_trip_keeps_type_and_value(value):
    back = decode(encode(value))
    assert back == value
    assert type(back) is type(value)


def test_tuple_and_list_stay_apart():
    assert encode((1, 2)) == {"__tuple__": [1, 2]}
    assert encode([1, 2]) == [1, 2]
    assert decode({"__tuple__": [1, 2]}) != [1, 2]


def test_special_floats_use_tags_and_bare_literals_are_read():
    assert encode(math.inf) == {"__float__": "inf"}
    assert encode(-math.inf) == {"__float__": "-inf"}
    assert math.isnan(decode(encode(math.nan)))
    assert decode(float("inf")) == math.inf  # what json.loads gives for Infinity


def test_dict_that_looks_like_a_tag_is_escaped():
    value = {"__set__": [1]}
    assert "__dict__" in encode(value)
    assert decode(encode(value)) == value


def test_big_int_written_as_string_is_accepted():
    assert decode({"__int__": "123456789012345678901234567890"}) == 123456789012345678901234567890


class Liar(int):
    def __eq__(self, other):
        return True

    __hash__ = int.__hash__


class Text(str):
    pass


@pytest.mark.parametrize("value", [Liar(3), Text("x"), [Liar(1)], object(), {"k": Text("v")}])
def test_subclasses_and_objects_are_refused(value):
    with pytest.raises(CodecError):
        encode(value)


def test_cycles_and_depth_are_refused():
    loop: list = []
    loop.append(loop)
    with pytest.raises(CodecError):
        encode(loop)
    deep: list = []
    for _ in range(MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(CodecError):
        decode(deep)


@pytest.mark.parametrize("data", [
    {"__tuple__": 3}, {"__float__": "huge"}, {"__int__": 5}, {"__bytes__": "***"},
    {"__complex__": [1]}, {"__dict__": [[1]]}, {"__set__": [[1, 2]]},
])
def test_malformed_tags_raise_codec_error(data):
    with pytest.raises(CodecError):
        decode(data)


def test_ints_past_the_decimal_limit_travel_as_hex():
    huge = 7 ** 20000  # about 16900 digits: str() of it raises in Python 3.11
    data = encode(huge)
    assert data["__int__"].startswith("0x")
    assert decode(data) == huge
    assert decode(encode(-huge)) == -huge
    assert encode(10**100) == 10**100  # ordinary big ints stay plain
