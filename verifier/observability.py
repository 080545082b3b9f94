"""Structured logs and CloudWatch metrics of the Lambda function, through Powertools.

Only `handler.py` uses this. Powertools' Logger takes over the "verifier"
logger, so every line the service writes (an invalid sample, a sandbox fault)
comes out as one JSON object with the request id. Its Metrics writes
CloudWatch embedded-metric-format (EMF) blobs to standard output, which
Lambda ships to CloudWatch Logs and CloudWatch turns into metrics, with no
API call and no permission beyond writing logs.

Per batch: one log line per sample (`"sample result"`), one for the batch
(`"batch scored"`), and one EMF blob. What goes into them is computed by the
pure `batch_stats` module and is bounded: no program text or program output
is ever logged. The metric names, in namespace `Verifier` by default:

    Samples, SamplesScored, SamplesInvalid, SamplesUnscored, SamplesDeadline
    Reward, PassRatio, SampleRuntime     one value per sample: distributions
    Verdict<Name>                        tests by verdict (VerdictPass, VerdictTimeout...)
    Timeouts, CacheHits, BatchDuration, IsolationLayers (how many hold)
    isolation_<layer>                    1 when that layer holds, else 0
    ColdStart, InitDuration, SuitesLoaded   once per container, with its first batch
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import IO, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from .batch_stats import BatchStats
from .errors import clip
from .isolation import LAYERS
from .isolation import metrics as isolation_metrics

__all__ = ["Observer"]

_NO_UNIT = MetricUnit.NoUnit
_COUNT = MetricUnit.Count
_MS = MetricUnit.Milliseconds


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def granted_layers(layers: Mapping[str, Any]) -> list[str]:
    """Names of the isolation layers that hold, sorted (not the probe's other facts)."""
    return sorted(name for name in LAYERS if layers.get(name) is True)


class Observer:
    """Writes the function's JSON log lines and EMF metrics.

    >>> observer = Observer(service="verifier", namespace="Verifier")  # doctest: +SKIP
    >>> observer.batch(stats, records, layers=sandbox.layers, request_id=context.aws_request_id)
    """

    def __init__(self, *, service: str, namespace: str, level: str = "INFO",
                 stream: IO[str] | None = None) -> None:
        # The logger's name is the service name: "verifier" is the logger the
        # whole package writes to, so all of it becomes structured JSON.
        self.logger = Logger(service=service, level=level, stream=stream or sys.stdout)
        self.metrics = Metrics(namespace=namespace, service=service)

    def cold_start(self, *, suites: int, sources: Sequence[str], workers: int,
                   layers: Mapping[str, Any], init_s: float) -> None:
        """Log what the container loaded and which isolation layers it got; count the start."""
        init_ms = round(init_s * 1000.0, 3)
        self.logger.info("cold start", extra={
            "suites": suites, "sources": [clip(s, 200) for s in sources][:20],
            "workers": workers, "isolation": dict(layers),
            "isolation_granted": granted_layers(layers), "init_ms": init_ms})
        self.metrics.add_metric(name="ColdStart", unit=_COUNT, value=1)
        self.metrics.add_metric(name="InitDuration", unit=_MS, value=init_ms)
        self.metrics.add_metric(name="SuitesLoaded", unit=_COUNT, value=suites)

    def batch(self, stats: BatchStats, records: Sequence[Mapping[str, Any]], *,
              layers: Mapping[str, Any], request_id: str | None) -> None:
        """One log line per sample and per batch, and the batch's metrics, flushed now."""
        self.logger.append_keys(request_id=request_id)
        try:
            for record in records:
                self.logger.info("sample result", extra=dict(record))
            self.logger.info("batch scored", extra={**stats.summary(),
                                                    "isolation": granted_layers(layers)})
        finally:
            self.logger.remove_keys(["request_id"])
        self._add_metrics(stats, layers)
        if request_id:
            self.metrics.add_metadata(key="request_id", value=request_id)
        self.metrics.flush_metrics(raise_on_empty_metrics=True)

    def _add_metrics(self, stats: BatchStats, layers: Mapping[str, Any]) -> None:
        add = self.metrics.add_metric
        add(name="Samples", unit=_COUNT, value=stats.samples)
        for state, count in stats.states.items():
            add(name=f"Samples{_camel(state)}", unit=_COUNT, value=count)
        for reward in stats.rewards:
            add(name="Reward", unit=_NO_UNIT, value=reward)
        for ratio in stats.pass_ratios:
            add(name="PassRatio", unit=_NO_UNIT, value=ratio)
        for runtime_ms in stats.runtimes_ms:
            add(name="SampleRuntime", unit=_MS, value=runtime_ms)
        for verdict, count in stats.verdicts.items():
            add(name=f"Verdict{_camel(verdict)}", unit=_COUNT, value=count)
        add(name="Timeouts", unit=_COUNT, value=stats.timeouts)
        if stats.cache_hits is not None:
            add(name="CacheHits", unit=_COUNT, value=stats.cache_hits)
        add(name="BatchDuration", unit=_MS, value=stats.elapsed_ms)
        isolation = isolation_metrics(layers)
        add(name="IsolationLayers", unit=_COUNT, value=isolation.pop("isolation_layers"))
        for name, value in isolation.items():  # isolation_seccomp, ...: 1 on, 0 off
            add(name=name, unit=_COUNT, value=value)
