"""The benchmark's measurements: one function per figure, and the table.

Every mode scores the same workload through the same Scorer; only the
sandbox differs. Rewards are compared with the in-process floor's, so a
fast wrong answer would show. Timeouts cost the same wall time in every
mode and would make the ratios look better than they are, so each mode is
timed on the full workload and again without the looping samples.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..sandbox.base import Job, Sandbox, TestInput
from ..sandbox.process import ProcessSandbox, available_cpus
from ..service import Scorer
from ..settings import Limits, Settings
from ..suites import SuiteIndex
from . import workload as workloads
from .baselines import FreshInterpreter, InProcess

__all__ = ["Row", "measure_all", "render"]

TIMEOUT_S = 0.2
"""Per-test limit in the benchmark, so looping samples cost little and alike in every mode."""


@dataclass
class Row:
    name: str
    seconds: float
    samples: int
    rewards: list[float | None]
    quick_seconds: float = 0.0
    quick_samples: int = 0

    @property
    def rate(self) -> float:
        return self.samples / self.seconds if self.seconds else 0.0

    @property
    def quick_rate(self) -> float:
        return self.quick_samples / self.quick_seconds if self.quick_seconds else 0.0


@dataclass
class Results:
    machine: dict[str, Any]
    counts: dict[str, int]
    rows: list[Row] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)


def _settings(workers: int | None = None) -> Settings:
    return Settings(workers=workers, cache_entries=0,
                    limits_cap=Limits(timeout_s=TIMEOUT_S, sample_timeout_s=30.0))


def _timed(index: SuiteIndex, sandbox: Sandbox, samples: list[dict[str, Any]], *,
           parallel: bool) -> tuple[float, list[float | None]]:
    with Scorer(index, sandbox=sandbox, settings=_settings()) as scorer:
        started = time.perf_counter()
        results = scorer.evaluate(samples, parallel=parallel)
        return time.perf_counter() - started, [r.reward for r in results]


def _row(name: str, index: SuiteIndex, make: Any, load: workloads.Workload, *,
         parallel: bool = True) -> Row:
    quick = [s for s, kind in zip(load.samples, load.kinds, strict=True) if kind != "timeout"]
    sandbox = make()
    try:
        if isinstance(sandbox, ProcessSandbox):
            sandbox.warm()
        seconds, rewards = _timed(index, sandbox, load.samples, parallel=parallel)
        quick_seconds, _ = _timed(index, sandbox, quick, parallel=parallel)
    finally:
        sandbox.close()
    return Row(name, seconds, len(load.samples), rewards, quick_seconds, len(quick))


def _overhead() -> dict[str, float]:
    """Latency of an empty program with a spare ready, and back to back, on one worker."""
    job = Job(code="pass\n", limits=Limits(), tests=(TestInput(index=0, kind="stdio"),))
    with ProcessSandbox(workers=1) as sandbox:
        sandbox.warm()
        for _ in range(20):
            sandbox.run(job, budget_s=5)
        latencies = []
        for _ in range(200):
            time.sleep(0.003)  # let the zygote clean up and fork the next spare
            started = time.perf_counter()
            sandbox.run(job, budget_s=5)
            latencies.append((time.perf_counter() - started) * 1e3)
        started = time.perf_counter()
        for _ in range(200):
            sandbox.run(job, budget_s=5)
        back_to_back = (time.perf_counter() - started) / 200 * 1e3
    latencies.sort()
    return {"median_ms": statistics.median(latencies), "p90_ms": latencies[179],
            "back_to_back_ms": back_to_back}


_COLD = """
import time
started = time.perf_counter()
import verifier
from verifier.sandbox.process import ProcessSandbox
imported = time.perf_counter()
box = ProcessSandbox(workers=1)
box.warm()
ready = time.perf_counter()
box.close()
print(imported - started, ready - imported)
"""


def _cold_start() -> dict[str, float]:
    """Import plus the first warm zygote, in a fresh interpreter (median of 5)."""
    runs = []
    for _ in range(5):
        done = subprocess.run([sys.executable, "-c", _COLD], capture_output=True, text=True,
                              check=True, env={k: v for k, v in os.environ.items()
                                               if not k.startswith("VERIFIER_")})
        runs.append([float(x) for x in done.stdout.split()])
    imported = statistics.median(r[0] for r in runs)
    zygote = statistics.median(r[1] for r in runs)
    return {"import_s": imported, "zygote_s": zygote, "total_s": imported + zygote}


def _duplicates(index: SuiteIndex) -> dict[str, int]:
    """A batch of 64 with 4 duplicates: how many programs actually ran."""
    task = next(t for t, s in sorted(index.items()) if s.entry_point and s.reference_solution)
    suite = index[task]
    samples = [workloads._sample(f"u{n}", task, (suite.reference_solution or "")
                                 + f"\n_variant = {n}\n") for n in range(60)]
    samples += [dict(samples[n], id=f"dup{n}") for n in (1, 2, 2, 3)]
    with ProcessSandbox(workers=available_cpus()) as sandbox, \
            Scorer(index, sandbox=sandbox, settings=Settings()) as scorer:
        scorer.evaluate(samples)
        return {"batch": len(samples), "ran": sandbox.jobs_run}


def _zygote_peak_kb() -> int:
    with ProcessSandbox(workers=1) as sandbox:
        sandbox.warm()
        peaks = []
        for pid in sandbox.zygote_pids():
            try:
                with open(f"/proc/{pid}/status") as handle:
                    peaks += [int(line.split()[1]) for line in handle if line.startswith("VmHWM")]
            except OSError:
                continue
        return max(peaks, default=0)


def measure_all(index: SuiteIndex, *, size: int = 256, workers: int | None = None,
                seed: int = 0) -> Results:
    """Every figure `verifier bench` prints."""
    cpus = workers or available_cpus()
    load = workloads.build(index, size=size, seed=seed)
    results = Results(machine={"date": date.today().isoformat(), "cpus": cpus,
                               "python": platform.python_version(),
                               "system": f"{platform.system()} {platform.machine()}"},
                      counts=load.counts())
    results.rows.append(_row("in-process, no isolation (floor)", index, InProcess, load,
                             parallel=False))
    results.rows.append(_row("fresh interpreter per sample", index, FreshInterpreter, load))
    results.rows.append(_row("verifier, 1 worker", index, lambda: ProcessSandbox(workers=1),
                             load))
    results.rows.append(_row(f"verifier, {cpus} workers", index,
                             lambda: ProcessSandbox(workers=cpus), load))
    results.figures = {
        "overhead": _overhead(),
        "cold_start": _cold_start(),
        "duplicates": _duplicates(index),
        "memory_kb": {"service": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                      "zygote": _zygote_peak_kb()},
    }
    return results


def _agree(row: Row, floor: Row) -> str:
    differ = sum(1 for a, b in zip(row.rewards, floor.rewards, strict=True) if a != b)
    return "reference" if row is floor else ("same" if not differ else f"{differ} differ")


def render(results: Results) -> str:
    """The table and figures as text."""
    m, counts = results.machine, results.counts
    floor, naive, one, many = results.rows
    lines = [
        f"verifier bench - {m['date']}, {m['cpus']} CPUs, Python {m['python']}, {m['system']}",
        f"workload: {sum(counts.values())} samples: {counts['correct']} correct, "
        f"{counts['wrong']} wrong, {counts['timeout']} looping (per-test limit {TIMEOUT_S} s)",
        "",
        f"{'mode':36s}{'samples/s':>11s}{'vs floor':>10s}{'vs naive':>10s}"
        f"{'no loops/s':>12s}{'vs floor':>10s}   rewards",
    ]
    for row in results.rows:
        lines.append(
            f"{row.name:36s}{row.rate:11.1f}{row.rate / floor.rate:9.2f}x"
            f"{row.rate / naive.rate:9.2f}x{row.quick_rate:12.1f}"
            f"{row.quick_rate / floor.quick_rate:9.2f}x   {_agree(row, floor)}")
    f = results.figures
    lines += [
        "",
        f"{many.name} vs 1 worker: {many.rate / one.rate:.2f}x "
        f"({many.quick_rate / one.quick_rate:.2f}x without loops)",
        f"per-sample overhead, empty program, 1 worker: median "
        f"{f['overhead']['median_ms']:.2f} ms, p90 {f['overhead']['p90_ms']:.2f} ms with a "
        f"spare ready; {f['overhead']['back_to_back_ms']:.2f} ms back to back",
        f"cold start (import + first warm zygote): {f['cold_start']['total_s']:.3f} s "
        f"({f['cold_start']['import_s']:.3f} + {f['cold_start']['zygote_s']:.3f})",
        f"duplicate cache: a batch of {f['duplicates']['batch']} with 4 duplicates ran "
        f"{f['duplicates']['ran']} programs",
        f"peak memory: service {f['memory_kb']['service'] / 1024:.0f} MB, "
        f"zygote {f['memory_kb']['zygote'] / 1024:.0f} MB",
    ]
    return "\n".join(lines)


def to_json(results: Results) -> str:
    rows = [{"name": r.name, "samples_per_s": r.rate, "no_loops_per_s": r.quick_rate,
             "seconds": r.seconds} for r in results.rows]
    return json.dumps({"machine": results.machine, "counts": results.counts, "rows": rows,
                       "figures": results.figures}, indent=2)
