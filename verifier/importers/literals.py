"""Values written in dataset code, evaluated without running any of it (pure).

Importers turn `assert f(3 * 19) == [3, 19]` into a call test, which needs
the argument and the expected value as data. Dataset code is untrusted, so it
is never passed to exec or eval here: this walks the syntax tree and accepts
only what `ast.literal_eval` accepts plus a little arithmetic that real
datasets write (`3 * 19`, `'ab' + 'c'`, `2 ** 10`, `[0] * 5`) and a few pure
constructors of the literal types (`set()`, `tuple([1, 2])`, `float('inf')`).
Sizes are capped so a hostile `10 ** 10 ** 10` or `'a' * 10 ** 9` is refused
rather than computed. Anything else raises `NotLiteral`, and the importer
keeps that assertion as an assert test.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from typing import Any

__all__ = ["NotLiteral", "evaluate"]

_MAX_INT_BITS = 4096
_MAX_ITEMS = 10_000
_MAX_DEPTH = 50


class NotLiteral(ValueError):
    """The expression is not a value this module is willing to compute."""


_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Not: operator.not_,
    ast.Invert: operator.invert,
}
_CONSTRUCTORS: dict[str, Callable[..., Any]] = {
    "set": set, "frozenset": frozenset, "tuple": tuple, "list": list,
}
_SEQUENCES = (str, bytes, list, tuple)


def _is_number(value: Any) -> bool:
    return type(value) in (int, float, complex)


def _check_size(value: Any) -> Any:
    if type(value) is float and math.isnan(value):
        raise NotLiteral("nan")  # nan never equals itself: `== nan` always fails
    if type(value) is int and value.bit_length() > _MAX_INT_BITS:
        raise NotLiteral("integer too large")
    if isinstance(value, _SEQUENCES) and len(value) > _MAX_ITEMS:
        raise NotLiteral("sequence too long")
    return value


def _power(base: Any, exponent: Any) -> Any:
    if type(base) is int and type(exponent) is int and exponent > 0:
        # Bound the result's size before computing it.
        if max(1, abs(base).bit_length()) * exponent > _MAX_INT_BITS * 2:
            raise NotLiteral("power too large")
    elif not (_is_number(base) and _is_number(exponent)):
        raise NotLiteral("power of a non-number")
    try:
        return base ** exponent
    except ArithmeticError as exc:  # 0 ** -1, 10.0 ** 400
        raise NotLiteral(str(exc)) from None


def _binary(op: ast.operator, left: Any, right: Any) -> Any:
    kind = type(op)
    if kind not in _BINARY:
        raise NotLiteral(f"operator {kind.__name__}")
    if kind is ast.Pow:
        return _check_size(_power(left, right))
    numbers = _is_number(left) and _is_number(right)
    joined = kind is ast.Add and isinstance(left, _SEQUENCES) and type(left) is type(right)
    repeated = kind is ast.Mult and any(
        isinstance(seq, _SEQUENCES) and type(count) is int
        for seq, count in ((left, right), (right, left)))
    if not (numbers or joined or repeated):
        raise NotLiteral("operands")
    if repeated:
        seq, count = (left, right) if isinstance(left, _SEQUENCES) else (right, left)
        if len(seq) * max(count, 0) > _MAX_ITEMS:  # bound it before building it
            raise NotLiteral("sequence too long")
    try:
        return _check_size(_BINARY[kind](left, right))
    except (ArithmeticError, TypeError, ValueError) as exc:
        raise NotLiteral(str(exc)) from None


def _call(node: ast.Call, depth: int) -> Any:
    if not isinstance(node.func, ast.Name) or node.keywords or len(node.args) > 1:
        raise NotLiteral("call")
    name = node.func.id
    args = [_eval(arg, depth + 1) for arg in node.args]
    if name == "float" and len(args) == 1 and isinstance(args[0], str):
        text = args[0].strip().lower()
        if text in ("inf", "+inf", "infinity", "-inf", "-infinity"):
            return float(text)
        raise NotLiteral("float() of anything but inf")
    constructor = _CONSTRUCTORS.get(name)
    if constructor is None:
        raise NotLiteral(f"call of {name}")
    if args and not isinstance(args[0], list | tuple | set | frozenset | str):
        raise NotLiteral(f"{name}() of a non-collection")
    try:
        return constructor(*args)
    except TypeError as exc:  # unhashable items in set()
        raise NotLiteral(str(exc)) from None


def _eval(node: ast.AST, depth: int) -> Any:
    if depth > _MAX_DEPTH:
        raise NotLiteral("nested too deeply")
    if isinstance(node, ast.Constant):
        if node.value is Ellipsis:
            raise NotLiteral("Ellipsis")
        return _check_size(node.value)
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        if any(isinstance(item, ast.Starred) for item in node.elts):
            raise NotLiteral("starred item")
        items = [_eval(item, depth + 1) for item in node.elts]
        built = {ast.List: list, ast.Tuple: tuple, ast.Set: set}[type(node)](items)
        return _check_size(built)
    if isinstance(node, ast.Dict):
        if any(key is None for key in node.keys):
            raise NotLiteral("dict unpacking")
        try:
            return {_eval(k, depth + 1): _eval(v, depth + 1)  # type: ignore[arg-type]
                    for k, v in zip(node.keys, node.values, strict=True)}
        except TypeError as exc:  # an unhashable key
            raise NotLiteral(str(exc)) from None
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, depth + 1)
        if type(node.op) is not ast.Not and not _is_number(operand):
            raise NotLiteral("unary operator on a non-number")
        if type(node.op) is ast.Invert and type(operand) is not int:
            raise NotLiteral("~ of a non-int")
        return _UNARY[type(node.op)](operand)
    if isinstance(node, ast.BinOp):
        return _binary(node.op, _eval(node.left, depth + 1), _eval(node.right, depth + 1))
    if isinstance(node, ast.Call):
        return _call(node, depth)
    raise NotLiteral(type(node).__name__)


def evaluate(node: ast.AST) -> Any:
    """The value `node` denotes, or NotLiteral.

    >>> evaluate(ast.parse("[3 * 19, 'ab' + 'c', -2 ** 3, (1,)]", mode="eval").body)
    [57, 'abc', -8, (1,)]
    """
    return _eval(node, 0)
