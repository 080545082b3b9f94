"""Test outcomes -> reward in [-1, 1], plus the metrics beside it (pure).

A reward shape is any callable taking an `Outcome` and returning a float in
[-1, 1]; the named ones are built by `shape_from_spec`, so a suite or an event
can say `"reward": {"shape": "power", "exponent": 3}`:

    smooth (default)  no code -1.0; code that does not load -0.75;
                      loaded with pass ratio p: -0.5 + 1.5 * p (all pass: 1.0)
    binary            1.0 when every test passes, else 0.0
    linear            p (0.0 without code or when it does not load)
    power             p ** exponent (exponent 2 by default)

Timeouts and every other failure count as failed tests.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import InvalidRequest

__all__ = [
    "Outcome", "Shape", "binary", "clamp", "linear", "power", "shape_from_spec", "smooth",
    "stops_on_failure",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    """What a reward shape may look at."""

    code_found: bool
    loaded: bool
    passed: int = 0
    total: int = 0

    @property
    def pass_ratio(self) -> float:
        return self.passed / self.total if self.total else 0.0

    @property
    def all_passed(self) -> bool:
        return self.loaded and self.total > 0 and self.passed == self.total


Shape = Callable[[Outcome], float]


def smooth(*, no_code: float = -1.0, no_load: float = -0.75, base: float = -0.5,
           scale: float = 1.5) -> Shape:
    """The default: format and loading count for something before any test passes."""
    def shape(outcome: Outcome) -> float:
        if not outcome.code_found:
            return no_code
        if not outcome.loaded:
            return no_load
        return base + scale * outcome.pass_ratio
    return shape


def binary() -> Shape:
    """1.0 when every test passes, else 0.0; tests after a failure need not run."""
    def shape(outcome: Outcome) -> float:
        return 1.0 if outcome.all_passed else 0.0
    shape.stops_on_failure = True  # type: ignore[attr-defined]
    return shape


def linear() -> Shape:
    """The pass ratio itself."""
    def shape(outcome: Outcome) -> float:
        return outcome.pass_ratio if outcome.loaded else 0.0
    return shape


def power(*, exponent: float = 2.0) -> Shape:
    """The pass ratio raised to `exponent`: near-misses earn little."""
    if exponent <= 0:
        raise InvalidRequest(f"reward.exponent must be positive, got {exponent}")

    def shape(outcome: Outcome) -> float:
        return outcome.pass_ratio ** exponent if outcome.loaded else 0.0
    return shape


_SHAPES: dict[str, Callable[..., Shape]] = {
    "smooth": smooth, "binary": binary, "linear": linear, "power": power,
}


def stops_on_failure(shape: Shape) -> bool:
    """Whether the shape's value is settled by the first failed test."""
    return bool(getattr(shape, "stops_on_failure", False))


def shape_from_spec(spec: Mapping[str, Any] | str | None) -> Shape:
    """Build a shape from `"binary"` or `{"shape": "power", "exponent": 3}`.

    >>> shape_from_spec({"shape": "power", "exponent": 2})(Outcome(code_found=True,
    ...     loaded=True, passed=1, total=2))
    0.25
    """
    if spec is None:
        return smooth()
    if isinstance(spec, str):
        spec = {"shape": spec}
    if not isinstance(spec, Mapping):
        raise InvalidRequest("reward must be a shape name or an object")
    params = dict(spec)
    name = params.pop("shape", "smooth")
    factory = _SHAPES.get(name) if isinstance(name, str) else None
    if factory is None:
        raise InvalidRequest(f"unknown reward shape {name!r}; known: {sorted(_SHAPES)}")
    try:
        return factory(**params)
    except TypeError as exc:
        raise InvalidRequest(f"bad parameters for reward shape {name!r}: {exc}") from None


def clamp(value: float) -> float:
    """A reward forced into [-1, 1]; a custom shape may stray."""
    return max(-1.0, min(1.0, float(value)))
