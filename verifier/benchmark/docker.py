"""The Docker backend's benchmark rows: a warm container pool against a container per sample.

Both runs score the same batch through the same `Scorer`, on the same images
with the same isolation; the only difference is whether a sample costs a
fork inside a warm container or a container of its own (create, start, the
zygote's start-up and probe, the job, removal). Per-language figures for the
warm pool (a C++ sample includes its compile) go beside them. Speed is
reported, never asserted.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..sandbox.base import Job, RunReport, TestRecord
from ..sandbox.docker import DockerSandbox
from ..service import Scorer
from ..settings import Settings
from ..suites import SuiteIndex, load_suite

__all__ = ["BenchRow", "bench_docker", "format_rows", "rows_to_json"]

_SUITES = [
    {"task_id": "bench/add", "entry_point": "add",
     "tests": [{"args": [a, b], "expect": a + b} for a, b in
               [(1, 2), (-5, 5), (10**20, 1), (0, 0), (7, -9), (3, 3), (100, 200)]]},
    {"task_id": "bench/cpp_sum", "language": "cpp",
     "tests": [{"stdin": f"{a} {b}\n", "stdout": f"{a + b}\n"} for a, b in
               [(1, 2), (-5, 5), (2 * 10**9, 2 * 10**9), (0, 0), (123, -456)]]},
    {"task_id": "bench/js_sum", "language": "javascript",
     "tests": [{"stdin": f"{a} {b}\n", "stdout": f"{a + b}\n"} for a, b in
               [(1, 2), (-5, 5), (2 * 10**9, 2 * 10**9), (0, 0), (123, -456)]]},
]
_PROGRAMS = {
    "python": ("bench/add", "python", "def add(a, b):\n    return a + b\n"),
    "cpp": ("bench/cpp_sum", "cpp", "#include <iostream>\nint main() { long long a, b; "
                                    "std::cin >> a >> b; std::cout << a + b << '\\n'; }\n"),
    "javascript": ("bench/js_sum", "javascript",
                   "const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/)"
                   ".map(Number);\nconsole.log(a + b);\n"),
}


@dataclass(frozen=True, slots=True)
class BenchRow:
    """One measured run: how many samples took how long, and whether all scored 1.0."""

    name: str
    samples: int
    seconds: float
    all_correct: bool

    @property
    def samples_per_s(self) -> float:
        return self.samples / self.seconds if self.seconds > 0 else 0.0


class _ContainerPerSample:
    """A Sandbox whose every job gets a new container: the naive baseline."""

    def __init__(self, pool: DockerSandbox) -> None:
        self._pool = pool
        self._index = itertools.count()

    @property
    def workers(self) -> int:
        return self._pool.workers

    @property
    def languages(self) -> frozenset[str]:
        return self._pool.languages

    def run(self, job: Job, *, budget_s: float,
            on_record: Callable[[TestRecord], bool] | None = None) -> RunReport:
        return self._pool.cold_run(job, budget_s=budget_s,
                                   index=next(self._index) % self._pool.workers)

    def sweep(self) -> int:
        return 0

    def close(self) -> None:
        pass


def _batch(language: str, count: int) -> list[dict[str, Any]]:
    task_id, label, code = _PROGRAMS[language]
    return [{"id": f"{language}-{n}", "reference_answer": {"task_id": task_id},
             "messages": [{"role": "user", "content": "Solve it."},
                          {"role": "assistant", "content": f"```{label}\n{code}```\n"}]}
            for n in range(count)]


def _timed(name: str, scorer: Scorer, batch: list[dict[str, Any]]) -> BenchRow:
    started = time.monotonic()
    results = scorer.evaluate(batch)
    seconds = time.monotonic() - started
    return BenchRow(name, len(batch), seconds, all(r.reward == 1.0 for r in results))


def bench_docker(*, samples: int = 200, cold_samples: int = 20, native_samples: int = 20,
                 workers: int | None = None, sandbox: DockerSandbox | None = None
                 ) -> Iterator[BenchRow]:
    """Measure, yielding rows as they finish: warm pool, container per sample, per language."""
    suites = SuiteIndex(load_suite(doc, source="<bench>") for doc in _SUITES)
    # No run cache: every sample of a batch is the same program, and each must really run.
    settings = Settings(workers=workers, cache_entries=0)
    pool = sandbox or DockerSandbox(workers=workers)
    try:
        pool.warm()
        with Scorer(suites, sandbox=pool, settings=settings) as scorer:
            scorer.evaluate(_batch("python", pool.workers))  # first jobs: caches warm up
            yield _timed("warm pool, python", scorer, _batch("python", samples))
        with Scorer(suites, sandbox=_ContainerPerSample(pool), settings=settings) as scorer:
            yield _timed("container per sample, python", scorer, _batch("python", cold_samples))
        with Scorer(suites, sandbox=pool, settings=settings) as scorer:
            for language in ("cpp", "javascript"):
                if language in pool.languages:
                    yield _timed(f"warm pool, {language}", scorer,
                                 _batch(language, native_samples))
    finally:
        if sandbox is None:
            pool.close()


def rows_to_json(rows: list[BenchRow]) -> str:
    """The figures as JSON, for `verifier bench --backend docker --json`."""
    return json.dumps([{"name": row.name, "samples": row.samples, "seconds": row.seconds,
                        "samples_per_s": row.samples_per_s, "all_correct": row.all_correct}
                       for row in rows], indent=1) + "\n"


def format_rows(rows: list[BenchRow], *, workers: int) -> str:
    """The table `verifier bench --backend docker` prints, with the warm/cold ratio."""
    lines = [f"Docker backend, {workers} workers (python: 7 call tests; cpp and javascript: "
             f"5 stdin/stdout tests, compile included)"]
    for row in rows:
        mark = "" if row.all_correct else "   (NOT all scored 1.0)"
        lines.append(f"  {row.name:32s} {row.samples:5d} samples in {row.seconds:7.2f} s "
                     f"{row.samples_per_s:8.1f} samples/s{mark}")
    warm = next((r for r in rows if r.name == "warm pool, python"), None)
    cold = next((r for r in rows if r.name == "container per sample, python"), None)
    if warm and cold and cold.samples_per_s > 0:
        lines.append(f"  warm pool / container per sample: "
                     f"{warm.samples_per_s / cold.samples_per_s:.1f}x samples/s")
    return "\n".join(lines)
