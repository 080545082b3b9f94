"""Whether a program's output or return value matches the expected one (pure).

Two questions, kept apart:

* standard output against expected text, by a rule the suite names:
  `exact`; `lines` (the default: each line's whitespace normalised, trailing
  blank lines ignored, but the line count kept, so a missing or extra line
  fails); `tokens` (whitespace-separated words); `numeric` (tokens, where two
  integers must be equal and two other numbers may differ within `rel_tol` /
  `abs_tol`, default 1e-6 each). `case_sensitive: false` folds case first.
* a returned value against the expected value: Python `==` on the decoded
  values, with two refinements. A bool never equals an int (True is not 1),
  and NaN equals NaN. With `float_tol: true`, floats anywhere inside the value
  compare within the tolerances. A list never equals a tuple, as in Python.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Literal

from .errors import InvalidRequest

__all__ = ["CompareSpec", "outputs_match", "values_match"]

Mode = Literal["exact", "lines", "tokens", "numeric"]
_MODES = ("exact", "lines", "tokens", "numeric")
_INT = re.compile(r"[+-]?\d+")


@dataclass(frozen=True, slots=True, kw_only=True)
class CompareSpec:
    """How a suite compares outputs and values.

    >>> outputs_match("1 2\\n", "1  2", CompareSpec())
    True
    """

    mode: Mode = "lines"
    rel_tol: float = 1e-6
    abs_tol: float = 1e-6
    case_sensitive: bool = True
    float_tol: bool = False

    def __post_init__(self) -> None:
        if self.mode not in _MODES:
            raise InvalidRequest(f"compare.mode must be one of {list(_MODES)}, got {self.mode!r}")
        for name in ("rel_tol", "abs_tol"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
                raise InvalidRequest(f"compare.{name} must be a non-negative number")
        for name in ("case_sensitive", "float_tol"):
            if not isinstance(getattr(self, name), bool):
                raise InvalidRequest(f"compare.{name} must be true or false")

    @classmethod
    def from_mapping(cls, data: Any, *, where: str = "compare") -> CompareSpec:
        if data is None:
            return cls()
        if isinstance(data, str):
            data = {"mode": data}
        if not isinstance(data, dict):
            raise InvalidRequest(f"{where} must be an object or a mode name")
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise InvalidRequest(f"{where}: unknown key(s) {unknown}; known: {sorted(known)}")
        return cls(**data)


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.rstrip().splitlines()]


def _numbers_close(expected: str, actual: str, spec: CompareSpec) -> bool:
    if expected == actual:
        return True
    if _INT.fullmatch(expected) and _INT.fullmatch(actual):
        return int(expected) == int(actual)
    try:
        want, got = float(expected), float(actual)
    except ValueError:
        return False
    if math.isnan(want) or math.isnan(got):
        return math.isnan(want) and math.isnan(got)
    return math.isclose(got, want, rel_tol=spec.rel_tol, abs_tol=spec.abs_tol)


def outputs_match(expected: str, actual: str, spec: CompareSpec) -> bool:
    """Whether `actual` standard output matches `expected` under `spec`."""
    if not spec.case_sensitive:
        expected, actual = expected.casefold(), actual.casefold()
    if spec.mode == "exact":
        return expected == actual
    if spec.mode == "lines":
        return _lines(expected) == _lines(actual)
    want, got = expected.split(), actual.split()
    if len(want) != len(got):
        return False
    if spec.mode == "tokens":
        return want == got
    return all(_numbers_close(w, g, spec) for w, g in zip(want, got, strict=True))


def _floats_match(expected: float, actual: float, spec: CompareSpec | None) -> bool:
    if math.isnan(expected) or math.isnan(actual):
        return math.isnan(expected) and math.isnan(actual)
    if spec is None:
        return expected == actual
    return math.isclose(actual, expected, rel_tol=spec.rel_tol, abs_tol=spec.abs_tol)


def values_match(expected: Any, actual: Any, spec: CompareSpec | None = None) -> bool:
    """Whether a returned value equals the expected one (see the module docstring).

    >>> values_match(1, True), values_match((1, 2), [1, 2]), values_match(3, 3.0)
    (False, False, True)
    """
    tolerance = spec if spec is not None and spec.float_tol else None
    kind_e, kind_a = type(expected), type(actual)
    if kind_e is bool or kind_a is bool:
        return kind_e is kind_a and expected == actual
    numeric = (int, float)
    if kind_e in numeric and kind_a in numeric:
        if kind_e is float or kind_a is float:
            return _floats_match(float(expected), float(actual), tolerance)
        return bool(expected == actual)
    if kind_e is complex and kind_a in (*numeric, complex):
        actual = complex(actual)
        return (_floats_match(expected.real, actual.real, tolerance)
                and _floats_match(expected.imag, actual.imag, tolerance))
    if kind_e in (list, tuple):
        return (kind_e is kind_a and len(expected) == len(actual)
                and all(values_match(e, a, spec) for e, a in zip(expected, actual, strict=True)))
    if kind_e is dict:
        return (kind_a is dict and expected.keys() == actual.keys()
                and all(values_match(expected[key], actual[key], spec) for key in expected))
    if kind_e in (set, frozenset):
        return kind_a in (set, frozenset) and expected == actual
    if kind_e is not kind_a:
        return False
    return bool(expected == actual)
