"""AWS Lambda entry point: a thin adapter over `service.Scorer`.

The heavy work (suites loaded and indexed, zygotes started) happens once per
container. Under a Lambda runtime (AWS_LAMBDA_RUNTIME_API set) it happens at
import, during Lambda's init phase; elsewhere on the first call, so that
importing this module has no side effects.

Each batch gets a deadline below the invocation's remaining time (minus
`batch_margin_s`); samples not finished by then are answered with the floor
reward and a `deadline` metric, so the reply is always in time.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

from . import envvars
from .isolation import one_line
from .sandbox.process import ProcessSandbox
from .service import Scorer
from .suites import load_suites

__all__ = ["lambda_handler"]

log = logging.getLogger("verifier")
_lock = threading.Lock()
_scorer: Scorer | None = None


def _default_suites() -> tuple[str, ...]:
    root = os.environ.get("LAMBDA_TASK_ROOT")
    candidates = [Path(root) / "testcases"] if root else []
    candidates.append(Path("testcases"))
    return tuple(str(path) for path in candidates if path.is_dir())[:1]


def cold_start() -> Scorer:
    """Build the container's scorer from the environment and warm its sandbox."""
    settings = envvars.settings_from_env(os.environ)
    paths = envvars.suite_paths(os.environ, default=_default_suites())
    index = load_suites(paths)
    options = envvars.process_options(os.environ, hide=paths)
    sandbox = ProcessSandbox(workers=settings.workers, options=options)
    sandbox.warm()  # strict mode (VERIFIER_REQUIRE_LAYERS) fails the init here, clearly
    log.info("cold start: %d suites from %s, %d workers; %s", len(index), paths,
             sandbox.workers, one_line(sandbox.layers))
    return Scorer(index, sandbox=sandbox, settings=settings)


def _get_scorer() -> Scorer:
    global _scorer
    with _lock:
        if _scorer is None:
            _scorer = cold_start()
        return _scorer


def lambda_handler(event: Any, context: Any) -> list[dict[str, Any]]:
    """Score a Nova RFT batch; raises InvalidRequest only when the event is not a list."""
    scorer = _get_scorer()
    deadline = None
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if callable(remaining):
        deadline = time.monotonic() + remaining() / 1000.0 - scorer.settings.batch_margin_s
    return scorer.score(event, deadline=deadline)


if os.environ.get("AWS_LAMBDA_RUNTIME_API"):
    _get_scorer()
