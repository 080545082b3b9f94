"""Reading dataset files and writing suite files: the importers' only I/O.

Input is JSON Lines (one task per line, gzip-compressed or not, as
HumanEval ships it) or one JSON list. Hugging Face datasets in Parquet or
Arrow convert with `datasets.load_dataset(...)["test"].to_json("x.jsonl")`.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from ..errors import InvalidRequest
from .common import dump_suite, file_name

__all__ = ["read_rows", "write_suites"]

_GZIP_MAGIC = b"\x1f\x8b"


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
        if raw.startswith(_GZIP_MAGIC):
            raw = gzip.decompress(raw)
        return raw.decode("utf-8")
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise InvalidRequest(f"cannot read {path}: {exc}") from None


def read_rows(path: Path) -> Iterator[tuple[str, Any]]:
    """(where, row) pairs: where is "line N" or "item N"; a bad line yields a str row."""
    text = _read_text(path)
    if text.lstrip().startswith("["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidRequest(f"{path}: not valid JSON: {exc}") from None
        for n, row in enumerate(data):
            yield f"item {n}", row
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield f"line {number}", json.loads(line)
        except json.JSONDecodeError:
            yield f"line {number}", "<not JSON>"


def write_suites(docs: Iterable[Mapping[str, Any]], out_dir: Path, *,
                 overwrite: bool = False) -> list[Path]:
    """One file per suite under `out_dir`; refuses to replace files unless `overwrite`."""
    items = list(docs)
    out_dir.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    targets = [out_dir / file_name(str(doc["task_id"]), taken) for doc in items]
    existing = [str(path) for path in targets if path.exists()]
    if existing and not overwrite:
        raise InvalidRequest(f"{len(existing)} suite file(s) already exist, e.g. {existing[0]}; "
                             "pass --overwrite to replace them")
    for doc, target in zip(items, targets, strict=True):
        partial = target.with_name(target.name + ".partial")
        partial.write_text(dump_suite(doc), encoding="utf-8")
        partial.replace(target)
    return targets
