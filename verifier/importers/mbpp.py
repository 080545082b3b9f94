"""MBPP rows -> suites (pure).

A row holds `task_id` (an integer), `text` (the task; `prompt` in the
sanitized edition), `code` (a reference solution), `test_list` (assert
statements as strings), `test_setup_code` and `challenge_test_list`.

MBPP names no entry point: it is the function the assertions call that the
reference solution defines (else the first one they call that is not a
built-in). Each assertion string becomes a call test where its shape allows,
else an assert test; `test_setup_code` becomes the suite's `setup`. Test ids
are the position in `test_list` (`"0"`, `"1"`, ...) and `"challenge.N"` for
the challenge tests, so a report can be traced back to the row.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Mapping
from typing import Any

from .asserts import convert_statements
from .common import RowResult, Skip, optional_text, task_id_of, with_provenance

__all__ = ["convert"]

TASK_ID_KEYS = ("task_id",)


def _defined_names(code: str) -> set[str]:
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return set()
    return {s.name for s in tree.body
            if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)}


def _called_names(trees: list[ast.Module]) -> list[str]:
    names: list[str] = []
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id not in names:
                names.append(node.func.id)
    return names


def entry_point_of(code: str, trees: list[ast.Module]) -> str | None:
    """The function under test: called by the tests and defined by the solution."""
    called = _called_names(trees)
    defined = _defined_names(code)
    for name in called:
        if name in defined:
            return name
    return next((name for name in called if not hasattr(builtins, name)), None)


def _string_list(row: Mapping[str, Any], key: str) -> list[str]:
    value = row.get(key) or []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise Skip(f"{key} must be a list of strings")
    return [item for item in value if item.strip()]


def convert(row: Mapping[str, Any]) -> RowResult:
    """One MBPP row as a suite document; raises Skip when it cannot be one."""
    task_id = task_id_of(row, TASK_ID_KEYS)
    code = (optional_text(row, "code") or "").replace("\r\n", "\n")
    labelled = [(str(n), snippet) for n, snippet in enumerate(_string_list(row, "test_list"))]
    labelled += [(f"challenge.{n}", snippet)
                 for n, snippet in enumerate(_string_list(row, "challenge_test_list"))]
    result = RowResult()
    parsed: list[tuple[str, ast.Module]] = []
    for label, snippet in labelled:
        try:
            parsed.append((label, ast.parse(snippet.replace("\r\n", "\n"))))
        except (SyntaxError, ValueError):
            result.notes.append("a test that does not parse was left out")
    if not parsed:
        raise Skip("no test in test_list")
    entry_point = entry_point_of(code, [tree for _, tree in parsed])
    callees = {entry_point} if entry_point else set()
    tests: list[dict[str, Any]] = []
    for label, tree in parsed:
        converted = convert_statements(tree.body, callees, id_prefix=label)
        tests += converted.tests
        result.dropped += converted.dropped
    if not tests:
        raise Skip("no test checks anything")
    doc: dict[str, Any] = {"task_id": task_id}
    if entry_point:
        doc["entry_point"] = entry_point
    prompt = optional_text(row, "text", "prompt")
    if prompt:
        doc["prompt"] = prompt
    doc["tests"] = tests
    setup = (optional_text(row, "test_setup_code") or "").replace("\r\n", "\n")
    if setup.strip():
        doc["setup"] = setup
    if code.strip():
        doc["reference_solution"] = code if code.endswith("\n") else code + "\n"
    else:
        result.notes.append("no reference solution (code)")
    result.doc = with_provenance(doc, row)
    return result
