"""APPS, TACO and LiveCodeBench rows -> suites (pure).

Three spellings of "inputs and expected outputs", all accepted:

* APPS / TACO: `input_output`, a JSON string (or object) with `inputs`,
  `outputs` and, for call-based problems, `fn_name`;
* the same `inputs` / `outputs` / `fn_name` at the top level of the row;
* LiveCodeBench: `public_test_cases` and `private_test_cases`, JSON lists of
  `{"input", "output", "testtype": "stdin" | "functional"}`, with the function
  name in `metadata` (`{"func_name": ...}`).

Stdin problems become stdin/stdout tests. Call-based problems become call
tests: APPS stores each input as the argument list and each output wrapped
in a one-element list (its harness accepts either), so that wrapper is
removed; LiveCodeBench writes one JSON value per argument line. When the
starter code is a LeetCode `class Solution`, the suite's `setup` adds a
module-level function that calls the method, so the entry point is callable.

The id is the row's `task_id`, `problem_id`, `question_id` or `id`, as it is.
LiveCodeBench ships its private tests as a compressed pickle; unpickling runs
code, so the importer never does: such rows keep their public tests, noted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..sandbox.runner import codec
from .common import RowResult, Skip, optional_text, task_id_of, with_provenance

__all__ = ["convert"]

TASK_ID_KEYS = ("task_id", "problem_id", "question_id", "id")

_SOLUTION_WRAPPER = '''\
if isinstance(globals().get("Solution"), type) and hasattr(Solution, {name!r}):
    def {name}(*args, **kwargs):
        return Solution().{name}(*args, **kwargs)
'''


def _json_field(value: Any, what: str) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise Skip(f"{what} is not JSON") from None
    return value


def _text_block(value: Any) -> str:
    """APPS writes some inputs and outputs as a list of lines."""
    if isinstance(value, list) and all(isinstance(line, str) for line in value):
        return "\n".join(value) + ("\n" if value and not value[-1].endswith("\n") else "")
    if isinstance(value, str):
        return value
    raise Skip(f"an input or output is neither text nor lines: {type(value).__name__}")


def _io_pairs(row: Mapping[str, Any], result: RowResult) -> tuple[list[tuple[str, Any, Any]],
                                                                   str | None, str]:
    """(label, input, output) triples, the function name if call-based, and the style."""
    if "public_test_cases" in row or "private_test_cases" in row:
        pairs: list[tuple[str, Any, Any]] = []
        for part in ("public", "private"):
            raw = row.get(f"{part}_test_cases")
            if raw in (None, "", []):
                continue
            try:
                cases = _json_field(raw, f"{part}_test_cases")
            except Skip:
                result.notes.append(f"{part} tests are not JSON (never unpickled); left out")
                continue
            pairs += [(f"{part}.{n}", case.get("input"), case.get("output"))
                      for n, case in enumerate(cases) if isinstance(case, dict)]
        metadata = _json_field(row.get("metadata") or {}, "metadata")
        name = metadata.get("func_name") if isinstance(metadata, dict) else None
        return pairs, name if isinstance(name, str) else None, "livecodebench"
    io = _json_field(row.get("input_output"), "input_output") if "input_output" in row else row
    if not isinstance(io, Mapping):
        raise Skip("input_output is not an object")
    inputs, outputs = io.get("inputs"), io.get("outputs")
    if not isinstance(inputs, list) or not isinstance(outputs, list):
        raise Skip("no inputs/outputs lists")
    if len(inputs) != len(outputs):
        raise Skip(f"{len(inputs)} inputs but {len(outputs)} outputs")
    name = io.get("fn_name") or row.get("fn_name")
    return ([(str(n), i, o) for n, (i, o) in enumerate(zip(inputs, outputs, strict=True))],
            name if isinstance(name, str) and name else None, "apps")


def _call_args(raw: Any, style: str) -> list[Any]:
    if style == "livecodebench":
        if not isinstance(raw, str):
            raise Skip("a functional input is not text")
        try:
            return [json.loads(line) for line in raw.split("\n") if line.strip()]
        except ValueError:
            raise Skip("a functional input line is not JSON") from None
    if not isinstance(raw, list):
        raise Skip("a call input is not a list of arguments")
    return raw


def _call_expect(raw: Any, style: str) -> Any:
    if style == "livecodebench":
        return _json_field(raw, "a functional output")
    return raw[0] if isinstance(raw, list) and len(raw) == 1 else raw


def _tests(pairs: list[tuple[str, Any, Any]], fn_name: str | None, style: str
           ) -> list[dict[str, Any]]:
    tests = []
    for label, raw_in, raw_out in pairs:
        if fn_name:
            # Plain JSON values from the dataset: encoding keeps big ints and any
            # one-key object that looks like a codec tag for what they are.
            tests.append({"id": label, "args": codec.encode(_call_args(raw_in, style)),
                          "expect": codec.encode(_call_expect(raw_out, style))})
        else:
            tests.append({"id": label, "stdin": _text_block(raw_in),
                          "stdout": _text_block(raw_out)})
    return tests


def _first_solution(row: Mapping[str, Any]) -> str | None:
    raw = row.get("solutions")
    try:
        solutions = _json_field(raw, "solutions") if raw else []
    except Skip:
        return None
    if isinstance(solutions, list):
        return next((s for s in solutions if isinstance(s, str) and s.strip()), None)
    return None


def convert(row: Mapping[str, Any], *, position: int = 0) -> RowResult:
    """One APPS / TACO / LiveCodeBench row as a suite document; raises Skip when it cannot."""
    result = RowResult()
    try:
        task_id = task_id_of(row, TASK_ID_KEYS)
    except Skip:
        task_id = str(position)
        result.notes.append("no id field; the row number is the task_id")
    pairs, fn_name, style = _io_pairs(row, result)
    if not pairs:
        raise Skip("no tests")
    if fn_name and not fn_name.isidentifier():
        raise Skip(f"fn_name {fn_name!r} is not an identifier")
    try:
        tests = _tests(pairs, fn_name, style)
    except codec.CodecError as exc:
        raise Skip(f"a value cannot be encoded: {exc}") from None
    doc: dict[str, Any] = {"task_id": task_id}
    if fn_name:
        doc["entry_point"] = fn_name
    prompt = optional_text(row, "question", "question_content", "prompt", "description")
    if prompt:
        doc["prompt"] = prompt
    doc["tests"] = tests
    starter = optional_text(row, "starter_code")
    if fn_name and starter and "class Solution" in starter:
        doc["setup"] = _SOLUTION_WRAPPER.format(name=fn_name)
    solution = _first_solution(row)
    if solution:
        doc["reference_solution"] = solution
    metadata = {key: row[key] for key in ("url", "difficulty", "platform", "contest_id")
                if isinstance(row.get(key), str | int) and not isinstance(row.get(key), bool)}
    if starter:
        metadata["starter_code"] = starter
    if metadata:
        doc["metadata"] = metadata
    with_provenance(doc, row)
    if "source" not in doc and isinstance(row.get("platform"), str):
        doc["source"] = row["platform"]
    result.doc = doc
    return result
