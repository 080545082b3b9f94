"""The scorer the trainer adapters share, and turning their arguments into samples.

verl's reward function signature has no place for a scorer, so the adapters
use one per process: the one given to `configure`, else one built from the
environment on first use, the way the Lambda's cold start builds it (strict
layers from VERIFIER_REQUIRE_LAYERS, suite folders hidden from programs).
It is created under a lock and `Scorer` is safe to call from many threads
at once (its sandbox hands each job its own zygote).
It is also created per process: a trainer that forks workers (Ray,
multiprocessing) gets a fresh scorer in each child rather than one whose
threads stayed behind in the parent.
"""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import envvars
from ..sandbox.process import ProcessOptions, ProcessSandbox
from ..service import Scorer
from ..settings import Settings
from ..suites import SuiteIndex, load_suites

__all__ = ["close", "configure", "get_scorer", "reference_of", "to_sample"]

_DEFAULT_SUITES = ("testcases",)


@dataclass(frozen=True, slots=True)
class _Held:
    scorer: Scorer
    owned: bool
    """Built here, so closed here; a scorer passed in stays its owner's to close."""
    pid: int
    sandbox: ProcessSandbox | None = None
    """A sandbox built here for the scorer (which then does not own it)."""


_lock = threading.Lock()
_held: _Held | None = None
_atexit_registered = False


def _register_atexit() -> None:
    global _atexit_registered
    if not _atexit_registered:
        atexit.register(close)
        _atexit_registered = True


def _install(scorer: Scorer, *, owned: bool) -> Scorer:
    global _held
    with _lock:
        previous, _held = _held, _Held(scorer, owned, os.getpid())
        if owned:
            _register_atexit()
    if previous is not None and previous.scorer is not scorer:
        _release(previous)
    return scorer


def _release(held: _Held) -> None:
    # A scorer inherited across fork belongs to the parent: its zygotes and
    # threads are the parent's, so the child must not close them.
    if held.owned and held.pid == os.getpid():
        held.scorer.close()
        if held.sandbox is not None:
            held.sandbox.close()


def _build(index: SuiteIndex, settings: Settings, options: ProcessOptions) -> _Held:
    """A scorer over its own sandbox, as the Lambda's cold start builds it."""
    sandbox = ProcessSandbox(workers=settings.workers, options=options)
    try:
        sandbox.warm()  # strict mode (VERIFIER_REQUIRE_LAYERS) fails here, clearly
    except BaseException:
        sandbox.close()
        raise
    return _Held(Scorer(index, sandbox=sandbox, settings=settings), True, os.getpid(), sandbox)


def configure(*, suites: SuiteIndex | Iterable[str | Path] | None = None,
              settings: Settings | None = None, scorer: Scorer | None = None) -> Scorer:
    """Choose what the adapters score with: a scorer, or suites (and settings) to build one."""
    if scorer is not None:
        return _install(scorer, owned=False)
    if suites is None:
        raise ValueError("configure needs suites= or scorer=")
    index = suites if isinstance(suites, SuiteIndex) else load_suites(suites)
    return _install(Scorer(index, settings=settings), owned=True)


def get_scorer() -> Scorer:
    """The configured scorer, else one built from the environment (once per process)."""
    global _held
    with _lock:
        if _held is not None and _held.pid == os.getpid():
            return _held.scorer
        # Built under the lock, so that concurrent first calls make one scorer.
        if _held is not None:
            # Held from before a fork: the parent's sandbox and threads, not
            # ours to use or close; the same suites and settings, a new sandbox.
            previous = _held.scorer
            options = getattr(previous.sandbox, "options", None) or ProcessOptions()
            _held = _build(previous.suites, previous.settings, options)
        else:
            settings = envvars.settings_from_env(os.environ)
            paths = envvars.suite_paths(os.environ, default=_DEFAULT_SUITES)
            index = load_suites(paths)
            _held = _build(index, settings, envvars.process_options(os.environ, hide=paths))
        _register_atexit()
        return _held.scorer


def close() -> None:
    """Close the scorer the adapters built (a scorer passed to `configure` is left open)."""
    global _held
    with _lock:
        held, _held = _held, None
    if held is not None:
        _release(held)


def reference_of(value: Any) -> Any:
    """A trainer's ground truth as a `reference_answer`: an object, JSON text or a task_id.

    Hugging Face datasets store objects as structs whose missing keys read as
    None, so top-level None values are dropped (values inside inline tests
    are kept: `"expect": null` is a real expectation).
    """
    if isinstance(value, Mapping):
        return {key: item for key, item in value.items() if item is not None}
    return value


def to_sample(sample_id: Any, messages: Any, reference: Any) -> dict[str, Any]:
    """A Nova-contract sample, so the adapters score exactly as the Lambda does."""
    return {"id": sample_id, "messages": messages, "reference_answer": reference_of(reference)}
