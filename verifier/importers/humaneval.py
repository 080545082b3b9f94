"""HumanEval rows -> suites (pure).

A row holds `task_id`, `prompt` (the signature and docstring, sometimes
imports and helper functions), `canonical_solution` (the body that completes
the prompt), `test` (code defining `check(candidate)`) and `entry_point`.

* The reference solution is `prompt + canonical_solution`, the program the
  original harness runs.
* The assertions in `check` become call tests where their shape allows
  (`asserts.convert_statements`), with `candidate` and the entry point both
  recognised as the function under test; the rest stay assert tests.
* The prompt's other top-level statements (imports, helpers such as `poly` or
  `encode_cyclic`) and any helper the test file defines beside `check`
  become the suite's `setup`, run after the program loads. The original
  harness runs the prompt before the completion, so an answer that only
  writes the entry point may rely on them; the assert tests may use them too.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any

from .asserts import convert_statements
from .common import RowResult, Skip, text, with_provenance

__all__ = ["convert"]

def _parse(code: str, what: str) -> ast.Module:
    try:
        return ast.parse(code)
    except (SyntaxError, ValueError) as exc:
        raise Skip(f"{what} does not parse: {exc}") from None


def _is_metadata(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.Assign) and all(
        isinstance(target, ast.Name) and target.id == "METADATA" for target in statement.targets)


def _setup(prompt: ast.Module, test: ast.Module, entry_point: str,
           check: ast.FunctionDef) -> str | None:
    context = [s for s in prompt.body
               if not (isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)
                       and s.name == entry_point)
               and not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    context += [s for s in test.body if s is not check and not _is_metadata(s)]
    if not context:
        return None
    return ast.unparse(ast.Module(body=context, type_ignores=[])) + "\n"


def convert(row: Mapping[str, Any]) -> RowResult:
    """One HumanEval row as a suite document; raises Skip when it cannot be one."""
    task_id = text(row, "task_id")
    prompt = text(row, "prompt")
    entry_point = text(row, "entry_point").strip()
    if not entry_point.isidentifier():
        raise Skip(f"entry_point {entry_point!r} is not an identifier")
    test_tree = _parse(text(row, "test"), "test")
    check = next((s for s in test_tree.body
                  if isinstance(s, ast.FunctionDef) and s.name == "check"), None)
    if check is None:
        raise Skip("test defines no check(candidate)")
    param = check.args.args[0].arg if check.args.args else "candidate"
    preamble = "" if param == "candidate" else f"{param} = candidate\n"
    converted = convert_statements(check.body, {param, entry_point}, preamble=preamble)
    if not converted.tests:
        raise Skip("check(candidate) holds no test")
    result = RowResult(dropped=converted.dropped)
    prompt_tree = _parse(prompt, "prompt")
    doc: dict[str, Any] = {"task_id": task_id, "entry_point": entry_point, "prompt": prompt,
                           "tests": converted.tests}
    setup = _setup(prompt_tree, test_tree, entry_point, check)
    if setup:
        doc["setup"] = setup
    solution = row.get("canonical_solution")
    if isinstance(solution, str) and solution.strip():
        doc["reference_solution"] = prompt + solution
    else:
        result.notes.append("no canonical_solution")
    result.doc = with_provenance(doc, row)
    return result
