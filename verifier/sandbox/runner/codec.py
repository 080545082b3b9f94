"""Python values <-> JSON with the types JSON lacks kept apart.

A test suite stores call arguments and expected return values in JSON; the
runner sends return values back the same way. Plain JSON covers None, bool,
int (any size), float, str, list and dict with string keys. Everything else
is a one-key object whose key names the type:

    {"__tuple__": [1, 2]}          (1, 2)
    {"__set__": [1, 2]}            {1, 2}
    {"__frozenset__": [1]}         frozenset({1})
    {"__float__": "inf"}           inf, "-inf", "nan" (bare Infinity/NaN are read too)
    {"__int__": "123456789..."}    an int written as a string, for JSON tools that lose big ints;
                                   "0x..." is hex, which is how ints over 4000 digits travel
    {"__bytes__": "aGk="}          b"hi" (base64)
    {"__complex__": [1.0, 2.0]}    (1+2j)
    {"__dict__": [[1, "a"]]}       {1: "a"}: a dict whose keys are not all strings,
                                   or that could be mistaken for one of these tags

Only values of exactly these types encode: a subclass of int, str, list, ...
(for example one whose __eq__ always answers True) is refused, so a program
cannot smuggle an object with custom behaviour into the comparison.
"""

from __future__ import annotations

import base64
import math
from typing import Any

__all__ = ["MAX_DEPTH", "CodecError", "decode", "encode"]

MAX_DEPTH = 100
_DECIMAL_BITS = 13000  # about 3900 decimal digits, under Python's 4300-digit limit

_TAGS = frozenset(
    ["__tuple__", "__set__", "__frozenset__", "__float__", "__int__", "__bytes__", "__complex__",
     "__dict__"]
)


class CodecError(ValueError):
    """A value cannot be encoded or decoded."""


def _float_out(value: float) -> Any:
    if math.isnan(value):
        return {"__float__": "nan"}
    if math.isinf(value):
        return {"__float__": "inf" if value > 0 else "-inf"}
    return value


def encode(value: Any, _depth: int = 0) -> Any:
    """Turn a plain Python value into JSON-ready data; raise CodecError otherwise."""
    if _depth > MAX_DEPTH:
        raise CodecError(f"value nested deeper than {MAX_DEPTH} levels")
    kind = type(value)
    if kind is int and value.bit_length() > _DECIMAL_BITS:
        # Python refuses decimal conversion of ints over 4300 digits (and it
        # would be quadratic); hex is linear and has no such limit.
        return {"__int__": hex(value)}
    if value is None or kind is bool or kind is int or kind is str:
        return value
    if kind is float:
        return _float_out(value)
    if kind is list:
        return [encode(item, _depth + 1) for item in value]
    if kind is tuple:
        return {"__tuple__": [encode(item, _depth + 1) for item in value]}
    if kind is set or kind is frozenset:
        items = [encode(item, _depth + 1) for item in value]
        return {"__set__" if kind is set else "__frozenset__": items}
    if kind is dict:
        if all(type(key) is str for key in value) and not (len(value) == 1 and _is_tag(value)):
            return {key: encode(item, _depth + 1) for key, item in value.items()}
        return {"__dict__": [[encode(k, _depth + 1), encode(v, _depth + 1)]
                             for k, v in value.items()]}
    if kind is bytes:
        return {"__bytes__": base64.b64encode(value).decode("ascii")}
    if kind is complex:
        return {"__complex__": [_float_out(value.real), _float_out(value.imag)]}
    raise CodecError(f"not a plain value: {kind.__name__}")


def _is_tag(data: dict[str, Any]) -> bool:
    return next(iter(data)) in _TAGS


def decode(data: Any, _depth: int = 0) -> Any:
    """Turn JSON data (as json.loads returns it) into the Python value it encodes."""
    if _depth > MAX_DEPTH:
        raise CodecError(f"value nested deeper than {MAX_DEPTH} levels")
    if isinstance(data, list):
        return [decode(item, _depth + 1) for item in data]
    if not isinstance(data, dict):
        return data
    if len(data) == 1 and _is_tag(data):
        ((tag, body),) = data.items()
        try:
            return _decode_tag(tag, body, _depth)
        except CodecError:
            raise
        except (TypeError, ValueError) as exc:
            raise CodecError(f"bad {tag} value: {exc}") from None
    return {key: decode(item, _depth + 1) for key, item in data.items()}


def _items(tag: str, body: Any, depth: int) -> list[Any]:
    if not isinstance(body, list):
        raise CodecError(f"{tag} must hold a list")
    return [decode(item, depth + 1) for item in body]


def _float_in(body: Any) -> float:
    if isinstance(body, str) and body in ("inf", "-inf", "nan"):
        return float(body)
    if type(body) in (int, float):
        return float(body)
    raise CodecError(f"bad float {body!r}")


def _decode_tag(tag: str, body: Any, depth: int) -> Any:
    if tag == "__tuple__":
        return tuple(_items(tag, body, depth))
    if tag == "__set__":
        return set(_items(tag, body, depth))
    if tag == "__frozenset__":
        return frozenset(_items(tag, body, depth))
    if tag == "__float__":
        return _float_in(body)
    if tag == "__int__":
        if not isinstance(body, str):
            raise CodecError("__int__ must hold a string of digits")
        if body.lstrip("-").startswith(("0x", "0X")):
            return int(body, 16)
        return int(body)
    if tag == "__bytes__":
        if not isinstance(body, str):
            raise CodecError("__bytes__ must hold a base64 string")
        return base64.b64decode(body.encode("ascii"), validate=True)
    if tag == "__complex__":
        if not isinstance(body, list) or len(body) != 2:
            raise CodecError("__complex__ must hold [real, imag]")
        return complex(_float_in(body[0]), _float_in(body[1]))
    # __dict__
    if not isinstance(body, list) or not all(isinstance(p, list) and len(p) == 2 for p in body):
        raise CodecError("__dict__ must hold a list of [key, value] pairs")
    return {decode(k, depth + 1): decode(v, depth + 1) for k, v in body}
