"""What every importer shares: one row's outcome, the run's report, file names (pure)."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import clip

__all__ = ["ImportReport", "RowResult", "Skip", "dump_suite", "file_name", "optional_text",
           "task_id_of", "text", "with_provenance"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_NAME = 80


class Skip(ValueError):
    """This row cannot become a suite; the message says why."""


@dataclass(slots=True)
class RowResult:
    """One row converted: the suite document, or why there is none."""

    doc: dict[str, Any] | None = None
    dropped: int = 0
    """Assertions or statements that checked nothing (`assert True`)."""
    notes: list[str] = field(default_factory=list)


def text(row: Mapping[str, Any], key: str) -> str:
    """A required string field; Skip names it when it is missing."""
    value = row.get(key)
    if not isinstance(value, str) or not value.strip():
        raise Skip(f"no {key}")
    return value


def optional_text(row: Mapping[str, Any], *keys: str) -> str | None:
    """The first of `keys` holding a non-empty string."""
    for key in keys:
        value = row.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None


def task_id_of(row: Mapping[str, Any], keys: tuple[str, ...]) -> str:
    """The row's own id, kept as it is (an integer id becomes its decimal text)."""
    for key in keys:
        value = row.get(key)
        if isinstance(value, str) and value.strip():
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
    raise Skip(f"no task id (looked for {', '.join(keys)})")


def with_provenance(doc: dict[str, Any], row: Mapping[str, Any]) -> dict[str, Any]:
    """Copy `source` and `license` from the row when it carries them."""
    for key in ("source", "license"):
        value = row.get(key)
        if isinstance(value, str) and value.strip():
            doc[key] = value
    return doc


def file_name(task_id: str, taken: set[str]) -> str:
    """A file name for `task_id` that is safe on any file system and not yet taken.

    >>> file_name("HumanEval/0", set())
    'HumanEval_0.json'
    """
    base = _UNSAFE.sub("_", task_id).strip("._") or "task"
    if len(base) > _MAX_NAME:
        base = base[:_MAX_NAME]
    name = f"{base}.json"
    if name.lower() in taken:  # case-insensitive file systems too
        digest = hashlib.sha256(task_id.encode()).hexdigest()[:10]
        name = f"{base}-{digest}.json"
    taken.add(name.lower())
    return name


@dataclass(slots=True)
class ImportReport:
    """What an import produced, for people and for tests."""

    format: str
    rows: int = 0
    suites: int = 0
    tests: Counter[str] = field(default_factory=Counter)
    dropped: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    notes: Counter[str] = field(default_factory=Counter)
    files: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"format": self.format, "rows": self.rows, "suites": self.suites,
                "tests": {kind: self.tests.get(kind, 0) for kind in ("call", "stdio", "assert")},
                "dropped": self.dropped,
                "skipped": [{"row": where, "reason": why} for where, why in self.skipped],
                "notes": dict(self.notes)}

    def summary(self) -> str:
        counts = self.to_json()["tests"]
        lines = [f"{self.format}: {self.rows} rows -> {self.suites} suites; tests: "
                 f"{counts['call']} call, {counts['stdio']} stdio, {counts['assert']} assert "
                 f"({self.dropped} statements that checked nothing dropped)"]
        lines += [f"  note: {note} ({count}x)" for note, count in self.notes.most_common()]
        lines += [f"  skipped {where}: {clip(why, 160)}" for where, why in self.skipped[:20]]
        if len(self.skipped) > 20:
            lines.append(f"  ... and {len(self.skipped) - 20} more skipped rows")
        return "\n".join(lines)


def dump_suite(doc: Mapping[str, Any]) -> str:
    """A suite as JSON people can read and diff: one key per line, one test per line."""
    lines = []
    for key, value in doc.items():
        if key == "tests":
            tests = ",\n".join(f"    {json.dumps(t, ensure_ascii=False)}" for t in value)
            lines.append(f'  "tests": [\n{tests}\n  ]')
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"
