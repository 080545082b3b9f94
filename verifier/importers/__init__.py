"""Bring your own dataset: HumanEval, MBPP and APPS-style rows -> test suites.

>>> from verifier.importers import import_file
>>> report = import_file("humaneval", Path("HumanEval.jsonl.gz"),
...                      Path("suites/he"))  # doctest: +SKIP
>>> print(report.summary())  # doctest: +SKIP

Each format module turns one row into one suite document without running any
of the dataset's code (it is parsed, never executed, in this process);
`convert_rows` checks every document with the same loader the service uses,
so a file written here is a file the service accepts. The row's own task id
is the suite's task_id (optionally behind a prefix, to keep several datasets
apart in one index).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from ..errors import InvalidRequest, SuiteError
from ..suites import AssertTest, CallTest, StdioTest, load_suite
from . import apps, humaneval, mbpp
from .common import ImportReport, RowResult, Skip
from .files import read_rows, write_suites

__all__ = ["FORMATS", "ImportReport", "convert_rows", "import_file"]

Converter = Callable[[Mapping[str, Any], int], RowResult]

FORMATS: dict[str, Converter] = {
    "humaneval": lambda row, position: humaneval.convert(row),
    "mbpp": lambda row, position: mbpp.convert(row),
    "apps": lambda row, position: apps.convert(row, position=position),
}
"""Format name -> converter of one row; `apps` also reads TACO and LiveCodeBench rows."""

_KINDS = ((CallTest, "call"), (StdioTest, "stdio"), (AssertTest, "assert"))


def convert_rows(fmt: str, rows: Iterable[tuple[str, Any]], *, task_prefix: str = "",
                 source: str | None = None, license: str | None = None,
                 limit: int | None = None) -> tuple[list[dict[str, Any]], ImportReport]:
    """Suite documents for `rows` ((where, row) pairs) and a report of what became of them.

    `source` and `license` fill those fields where a row carries none.
    """
    converter = FORMATS.get(fmt)
    if converter is None:
        raise InvalidRequest(f"unknown format {fmt!r}; known: {sorted(FORMATS)}")
    report = ImportReport(fmt)
    docs: list[dict[str, Any]] = []
    seen: set[str] = set()
    for position, (where, row) in enumerate(rows):
        if limit is not None and report.rows >= limit:
            break
        report.rows += 1
        if not isinstance(row, dict):
            report.skipped.append((where, "not a JSON object"))
            continue
        try:
            result = converter(row, position)
        except Skip as exc:
            report.skipped.append((where, str(exc)))
            continue
        doc = result.doc
        assert doc is not None
        doc["task_id"] = task_prefix + doc["task_id"]
        if doc["task_id"] in seen:
            report.skipped.append((where, f"task_id {doc['task_id']!r} repeats an earlier row"))
            continue
        for key, value in (("source", source), ("license", license)):
            if value and key not in doc:
                doc[key] = value
        try:
            suite = load_suite(doc, source=where)
        except SuiteError as exc:
            report.skipped.append((where, f"not a valid suite: {exc.field}: {exc.reason}"))
            continue
        seen.add(doc["task_id"])
        docs.append(doc)
        report.suites += 1
        report.dropped += result.dropped
        report.notes.update(result.notes)
        for test in suite.tests:
            report.tests[next(name for kind, name in _KINDS if isinstance(test, kind))] += 1
    return docs, report


def import_file(fmt: str, path: Path, out_dir: Path, *, overwrite: bool = False,
                **options: Any) -> ImportReport:
    """Read `path`, convert its rows, write one suite file per task under `out_dir`."""
    docs, report = convert_rows(fmt, read_rows(path), **options)
    report.files = [str(p) for p in write_suites(docs, out_dir, overwrite=overwrite)]
    return report
