"""AWS Lambda entry point: a thin adapter over `service.Scorer`.

The heavy work (suites loaded and indexed, from the image or from S3; zygotes
started; the logger and metrics set up) happens once per container. Under a
Lambda runtime (AWS_LAMBDA_RUNTIME_API set) it happens at import, during
Lambda's init phase; elsewhere on the first call, so that importing this
module has no side effects.

Each batch gets a deadline below the invocation's remaining time (minus
`batch_margin_s`); samples not finished by then are answered with the floor
reward and a `deadline` metric, so the reply is always in time. Every batch
leaves one JSON log line per sample, one per batch, and CloudWatch metrics
(see `observability`).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import envvars
from .batch_stats import BatchStats, sample_records
from .isolation import one_line
from .observability import Observer
from .sandbox.process import ProcessSandbox
from .service import Scorer
from .suite_sources import load_suite_sources

__all__ = ["lambda_handler"]

log = logging.getLogger("verifier")
_lock = threading.Lock()
_scorer: Scorer | None = None
_observer: Observer | None = None


@dataclass(frozen=True, slots=True)
class _Container:
    scorer: Scorer
    observer: Observer


def _default_suites() -> tuple[str, ...]:
    root = os.environ.get("LAMBDA_TASK_ROOT")
    candidates = [Path(root) / "testcases"] if root else []
    candidates.append(Path("testcases"))
    return tuple(str(path) for path in candidates if path.is_dir())[:1]


def _make_observer() -> Observer:
    return Observer(service=envvars.service_name(os.environ),
                    namespace=envvars.metrics_namespace(os.environ),
                    level=envvars.log_level(os.environ, default="INFO"))


def cold_start(observer: Observer | None = None) -> Scorer:
    """Build the container's scorer from the environment and warm its sandbox."""
    started = time.monotonic()
    settings = envvars.settings_from_env(os.environ)
    paths = envvars.suite_paths(os.environ, default=_default_suites())
    index = load_suite_sources(paths)
    options = envvars.process_options(os.environ, hide=paths)
    workers = settings.workers or envvars.lambda_workers(os.environ)
    sandbox = ProcessSandbox(workers=workers, options=options)
    sandbox.warm()  # strict mode (VERIFIER_REQUIRE_LAYERS) fails the init here, clearly
    log.info("cold start: %d suites, %d workers; %s", len(index), sandbox.workers,
             one_line(sandbox.layers))
    if observer is not None:
        observer.cold_start(suites=len(index), sources=paths, workers=sandbox.workers,
                            layers=sandbox.layers, init_s=time.monotonic() - started)
    return Scorer(index, sandbox=sandbox, settings=settings)


def _container() -> _Container:
    global _scorer, _observer
    with _lock:
        if _observer is None:
            _observer = _make_observer()
        if _scorer is None:
            _scorer = cold_start(_observer)
        return _Container(_scorer, _observer)


def lambda_handler(event: Any, context: Any) -> list[dict[str, Any]]:
    """Score a Nova RFT batch; raises InvalidRequest only when the event is not a list."""
    container = _container()
    scorer = container.scorer
    started = time.monotonic()
    deadline = None
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if callable(remaining):
        deadline = started + remaining() / 1000.0 - scorer.settings.batch_margin_s
    results = scorer.evaluate(event, deadline=deadline)
    response = [result.to_response(scorer.settings) for result in results]
    try:
        unscored = scorer.settings.unscored_reward
        stats = BatchStats.of(results, elapsed_s=time.monotonic() - started,
                              unscored_reward=unscored)
        container.observer.batch(stats, sample_records(event, results, unscored_reward=unscored),
                                 layers=getattr(scorer.sandbox, "layers", {}),
                                 request_id=getattr(context, "aws_request_id", None))
    except Exception:  # the rewards are computed; a logging fault must not lose them
        log.exception("could not record the batch's logs and metrics")
    return response


if os.environ.get("AWS_LAMBDA_RUNTIME_API"):
    _container()
