"""A content-addressed cache of sandbox runs, so identical completions run once.

GRPO samples many completions per prompt and identical ones are common. A
run is keyed by a SHA-256 of everything that could change its outcome: the
program (line endings and trailing whitespace normalised), the suite's
fingerprint (its tests, expected values and settings; a subsample has its
own), the resolved limits, the runtime and its allowed imports, whether the
run stops at the first failure, and the versions of verifier and Python.
So a cached run is never shared across suites, limits or runtimes.

Within a batch, a duplicate waits for the first run of its key instead of
starting another. Only finished runs are stored: an infrastructure error is
never cached (each waiter then runs for itself), nor a run cut short by the
batch deadline. The cache is bounded (least recently used out) and lives as
long as the Scorer, so in Lambda it spans warm invocations. A program that
reads the clock or races threads gets the verdict of its first run.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from importlib import metadata
from typing import Any

from .sandbox.base import Job, RunReport

__all__ = ["RunCache", "run_key"]


def _version() -> str:
    try:
        return metadata.version("verifier")
    except metadata.PackageNotFoundError:
        return "unknown"


_RUNTIME_VERSION = f"verifier {_version()} python {sys.version.split()[0]}"


def normalise(code: str) -> str:
    """The program as the cache sees it: line endings and trailing spaces don't matter."""
    lines = code.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")


def run_key(job: Job, *, suite_fingerprint: str, stop_at_failure: bool) -> str:
    """The cache key of running `job` (see the module docstring)."""
    parts = {
        "code": normalise(job.code),
        "suite": suite_fingerprint,
        "tests": [test.index for test in job.tests],
        "limits": dataclasses.asdict(job.limits),
        "language": job.language,
        "runtime": job.runtime,
        "imports": sorted(job.imports),
        "stop_at_failure": stop_at_failure,
        "version": _RUNTIME_VERSION,
    }
    blob = json.dumps(parts, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class RunCache:
    """Finished runs by key, at most `capacity` of them; one run per key at a time.

    >>> cache = RunCache(capacity=2)
    >>> report, cached = cache.get_or_run("k", lambda: (RunReport(loaded=True), True))
    >>> cache.get_or_run("k", lambda: (RunReport(), True))[1]
    True
    """

    def __init__(self, *, capacity: int) -> None:
        self.capacity = capacity
        self._done: OrderedDict[str, RunReport] = OrderedDict()
        self._running: dict[str, Future[RunReport | None]] = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_run(self, key: str, run: Callable[[], tuple[RunReport, bool]]
                   ) -> tuple[RunReport, bool]:
        """The report for `key` and whether it came from the cache.

        `run` returns a report and whether it may be stored. If it raises,
        the error goes to its caller only; duplicates waiting on it run
        for themselves.
        """
        if self.capacity <= 0:
            return run()[0], False
        with self._lock:
            found = self._done.get(key)
            if found is not None:
                self._done.move_to_end(key)
                self.hits += 1
                return found, True
            pending = self._running.get(key)
            if pending is None:
                future: Future[RunReport | None] = Future()
                self._running[key] = future
        if pending is not None:
            shared = pending.result()
            if shared is not None:
                with self._lock:
                    self.hits += 1
                return shared, True
            return run()[0], False
        try:
            report, storable = run()
        except BaseException:
            self._settle(key, future, None)
            raise
        self._settle(key, future, report if storable else None)
        return report, False

    def _settle(self, key: str, future: Future[RunReport | None],
                report: RunReport | None) -> None:
        with self._lock:
            self._running.pop(key, None)
            self.misses += 1
            if report is not None:
                self._done[key] = report
                while len(self._done) > self.capacity:
                    self._done.popitem(last=False)
        future.set_result(report)

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {"entries": len(self._done), "hits": self.hits, "misses": self.misses}
