"""The restricted runtime's compile-time policy, on RestrictedPython.

A suite or an event may choose `"runtime": "restricted"`: the program is then
transformed and checked here, on the trusted side, before it goes into the
sandbox, and runs there with guarded builtins (`runner/guards.py`).

RestrictedPython out of the box refuses what generated code writes every
day: `_private` names, dunder methods, `d[k] += 1`, `nonlocal`, and it
rewrites `print`. This policy keeps all of those and checks only what leads
out of the sandbox:

* names a program may not bind or read: the guards and `__builtins__`,
  `__import__`, `__loader__`, `__spec__`;
* attributes that lead from an object to its interpreter: `__globals__`,
  `__subclasses__`, `__mro__`, `__dict__`, `__code__`, frames, tracebacks...
  (refused whether written `x.__globals__` or computed at run time);
* every attribute read goes through `_getattr_`, which also turns modules
  into proxies with only their public names and makes `str.format` unable to
  walk attributes.

Subscripts, stores and augmented assignment are left as Python compiles
them: none can reach anything the checks above do not already guard, and a
function call per `a[i]` would slow generated code for nothing.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

from RestrictedPython.transformer import RestrictingNodeTransformer

from .runner.restricted import DEFAULT_IMPORTS, DENIED_ATTRIBUTES, DENIED_NAMES

__all__ = ["Restricted", "allowed_imports", "restrict"]


@dataclass(frozen=True, slots=True)
class Restricted:
    """The transformed program, or why the policy refused it."""

    code: str | None
    errors: tuple[str, ...] = ()


class GeneratedCodePolicy(RestrictingNodeTransformer):
    """RestrictedPython's transformer with the policy described in the module docstring."""

    def check_name(self, node: ast.AST, name: str | None,
                   allow_magic_methods: bool = False) -> None:
        if name is None:
            return
        if name in DENIED_NAMES or name.startswith("_rp_"):
            self.error(node, f'"{name}" is a reserved name')

    def visit_Name(self, node: ast.Name) -> ast.AST:
        self.check_name(node, node.id)
        return node

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        if node.attr in DENIED_ATTRIBUTES:
            self.error(node, f'attribute "{node.attr}" is not allowed')
        node = self.node_contents_visit(node)
        if not isinstance(node.ctx, ast.Load):
            return node
        call = ast.Call(func=ast.Name("_getattr_", ast.Load()),
                        args=[node.value, ast.Constant(node.attr)], keywords=[])
        return ast.copy_location(call, node)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        # RestrictedPython routes f(*args) through _apply_ to guard the
        # arguments; with nothing to guard there, the call stays as written.
        return self.node_contents_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        return self.node_contents_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        return self.node_contents_visit(node)

    def guard_iter(self, node: ast.For | ast.comprehension) -> ast.AST:
        # Iteration needs no guard here (_getiter_ would be iter itself).
        return self.node_contents_visit(node)

    def visit_Assign(self, node: ast.Assign) -> ast.AST:
        return self.node_contents_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        self.check_name(node, node.name)
        self.check_function_argument_names(node)
        return self.node_contents_visit(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> ast.AST:
        self.check_name(node, node.name)
        self.check_function_argument_names(node)
        return self.node_contents_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        self.check_name(node, node.name)
        return self.node_contents_visit(node)

    def check_import_names(self, node: ast.ImportFrom | ast.Import) -> ast.AST:
        # `from math import *` is common in contest code; module proxies list
        # only public names in __all__, so a star import gets no more than that.
        for alias in node.names:
            if alias.name != "*":
                self.check_name(node, alias.name)
            self.check_name(node, alias.asname)
        return self.node_contents_visit(node)

    def visit_Module(self, node: ast.Module) -> ast.AST:
        return self.node_contents_visit(node)

    def _allow(self, node: ast.AST) -> ast.AST:
        return self.node_contents_visit(node)

    visit_Nonlocal = visit_Await = visit_AsyncFor = visit_AsyncWith = visit_AnnAssign = _allow
    visit_TryStar = visit_MatchAs = visit_Match = visit_match_case = _allow
    visit_MatchValue = visit_MatchSingleton = visit_MatchSequence = _allow
    visit_MatchMapping = visit_MatchClass = visit_MatchStar = visit_MatchOr = _allow


def restrict(code: str) -> Restricted:
    """Transform `code` for the restricted runtime, or say why it is refused."""
    try:
        tree = ast.parse(code, "<solution>")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        return Restricted(None, (f"{type(exc).__name__}: {exc}",))
    errors: list[str] = []
    policy = GeneratedCodePolicy(errors=errors, warnings=[], used_names={})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            tree = policy.visit(tree)
        except RecursionError:
            return Restricted(None, ("program nested too deeply to check",))
    if errors:
        return Restricted(None, tuple(errors[:5]))
    ast.fix_missing_locations(tree)
    return Restricted(ast.unparse(tree))


def allowed_imports(extra: Iterable[str] = ()) -> frozenset[str]:
    """The default allowlist plus what a suite adds explicitly (even a NEVER_IMPORT one)."""
    return DEFAULT_IMPORTS | frozenset(extra)

