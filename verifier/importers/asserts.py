"""Assertions from datasets -> suite tests, call tests wherever the shape allows (pure).

`assert f(1, 2) == 3` carries its expected value; run as an assert test, that
value enters the sandbox and a hostile program can fool it (an object whose
`__eq__` always answers True). As a call test the sandbox sees only the
arguments and the trusted side compares. So every assertion of the shape

    assert NAME(literal args, key=literal) == literal     (either side of ==)
    assert NAME(literal args) is True | False | None

where NAME is the entry point (or `candidate`), becomes a call test; the
literals are computed by `literals.evaluate`, never by eval. `assert True`
and other constant assertions check nothing and are dropped. Everything else
stays an assert test, in its original words.

Converted tests compare by the service's rules, slightly stricter than `==`
(True is not 1, a tuple is not a list); `verifier validate` confirms the
reference solution still passes them.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..sandbox.runner import codec
from .literals import NotLiteral, evaluate

__all__ = ["Converted", "call_test", "convert_statements"]

_IDENTITY_CONSTANTS = (True, False, None)


@dataclass(slots=True)
class Converted:
    """Tests made from some statements, and how many assertions checked nothing."""

    tests: list[dict[str, Any]] = field(default_factory=list)
    dropped: int = 0


def _literal(node: ast.AST) -> Any:
    return codec.encode(evaluate(node))


def _call_of(node: ast.AST, callees: Collection[str]) -> ast.Call | None:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
            and node.func.id in callees:
        return node
    return None


def _split(test: ast.expr, callees: Collection[str]) -> tuple[ast.Call, ast.expr] | None:
    """(the call, the expected expression) of `call == expected` or `call is const`."""
    if not isinstance(test, ast.Compare) or len(test.ops) != 1:
        return None
    left, right, op = test.left, test.comparators[0], test.ops[0]
    if isinstance(op, ast.Eq):
        for call_side, other in ((left, right), (right, left)):
            call = _call_of(call_side, callees)
            if call is not None:
                return call, other
        return None
    # `is` only against the three singletons, where identity and equality agree
    # (the service's comparison already keeps True apart from 1).
    if isinstance(op, ast.Is) and isinstance(right, ast.Constant) \
            and any(right.value is c for c in _IDENTITY_CONSTANTS):
        call = _call_of(left, callees)
        return (call, right) if call is not None else None
    return None


def call_test(statement: ast.stmt, callees: Collection[str]) -> dict[str, Any] | None:
    """The call test equivalent to `statement`, or None when it has another shape."""
    if not isinstance(statement, ast.Assert):
        return None
    parts = _split(statement.test, callees)
    if parts is None:
        return None
    call, expected = parts
    if any(isinstance(arg, ast.Starred) for arg in call.args) or \
            any(kw.arg is None for kw in call.keywords):
        return None
    try:
        args = [_literal(arg) for arg in call.args]
        kwargs = {str(kw.arg): _literal(kw.value) for kw in call.keywords}
        expect = _literal(expected)
    except (NotLiteral, codec.CodecError, RecursionError):
        return None
    test: dict[str, Any] = {"args": args, "expect": expect}
    if kwargs:
        test["kwargs"] = kwargs
    return test


def _checks_nothing(statement: ast.stmt) -> bool:
    """`assert True, "..."`: a constant that is true always passes."""
    return isinstance(statement, ast.Assert) and isinstance(statement.test, ast.Constant) \
        and bool(statement.test.value)


def _checks_something(statements: Sequence[ast.stmt]) -> bool:
    module = ast.Module(body=list(statements), type_ignores=[])
    return any(isinstance(node, ast.Raise) or (isinstance(node, ast.Assert)
                                               and not _checks_nothing(node))
               for node in ast.walk(module))


def _snippet(statements: Sequence[ast.stmt], preamble: str) -> str:
    # unparse, not the source segment: a compound statement cut out of a
    # function body keeps its inner indentation and may no longer parse.
    return preamble + ast.unparse(ast.Module(body=list(statements), type_ignores=[])) + "\n"


def convert_statements(statements: Sequence[ast.stmt], callees: Collection[str], *,
                       id_prefix: str = "", preamble: str = "") -> Converted:
    """Call tests where possible; the rest as assert tests.

    When the statements are all assertions, each leftover one is its own
    assert test. When other statements are mixed in (a loop, an assignment a
    later assertion reads), the leftovers stay together, in order, as one
    assert test, because they may depend on each other. `preamble` is put
    before each assert snippet (for example `check = candidate`).
    """
    out = Converted()
    leftovers: list[ast.stmt] = []
    for statement in statements:
        converted = call_test(statement, callees)
        if converted is not None:
            out.tests.append(converted)
        elif _checks_nothing(statement):
            out.dropped += 1
        else:
            leftovers.append(statement)
    if all(isinstance(s, ast.Assert) for s in leftovers):
        out.tests.extend({"assert": _snippet([s], preamble)} for s in leftovers)
    elif _checks_something(leftovers):
        out.tests.append({"assert": _snippet(leftovers, preamble)})
    else:
        out.dropped += 1  # statements without a single check in them
    if len(out.tests) == 1 and id_prefix:
        out.tests[0] = {"id": id_prefix, **out.tests[0]}
    else:
        dot = "." if id_prefix else ""
        out.tests = [{"id": f"{id_prefix}{dot}{n}", **test} for n, test in enumerate(out.tests)]
    return out
