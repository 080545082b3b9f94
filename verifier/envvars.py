"""Environment variable names and their parsing, in one place.

Only the edges call `settings_from_env`, passing the environment in:
`cli.py`, `handler.py` and `integrations/common.py` (verl's reward function
has no place for settings); library code never reads `os.environ`. Precedence is always:
explicit argument, then environment, then default.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from .errors import InvalidRequest
from .isolation import parse_required
from .sandbox.process import ProcessOptions
from .settings import Limits, Settings

__all__ = ["SUITES", "WORKERS", "process_options", "settings_from_env", "suite_paths"]

SUITES = "VERIFIER_SUITES"
"""Suite folders or files, separated by the path separator (':' on Linux)."""
WORKERS = "VERIFIER_WORKERS"
FLOOR_REWARD = "VERIFIER_FLOOR_REWARD"
UNSCORED_REWARD = "VERIFIER_UNSCORED_REWARD"
TIMEOUT_S = "VERIFIER_TIMEOUT_S"
MEMORY_MB = "VERIFIER_MEMORY_MB"
BATCH_MARGIN_S = "VERIFIER_BATCH_MARGIN_S"
LOG_LEVEL = "VERIFIER_LOG_LEVEL"
RUNTIME = "VERIFIER_RUNTIME"
"""python (default) or restricted, for suites and events that name none."""
REQUIRE_LAYERS = "VERIFIER_REQUIRE_LAYERS"
"""Strict mode: comma-separated isolation layers that must hold, e.g. seccomp,no_new_files."""

T = TypeVar("T")


def _parse(env: Mapping[str, str], name: str, kind: Callable[[str], T]) -> T | None:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return None
    try:
        return kind(raw.strip())
    except ValueError:
        raise InvalidRequest(f"{name}={raw!r} is not a valid {kind.__name__}") from None


def settings_from_env(env: Mapping[str, str], **explicit: Any) -> Settings:
    """Settings from explicit values (None means unset), then `env`, then defaults."""
    values: dict[str, Any] = {
        "workers": _parse(env, WORKERS, int),
        "floor_reward": _parse(env, FLOOR_REWARD, float),
        "unscored_reward": _parse(env, UNSCORED_REWARD, float),
        "batch_margin_s": _parse(env, BATCH_MARGIN_S, float),
        "runtime": _parse(env, RUNTIME, str),
    }
    values.update({key: value for key, value in explicit.items() if value is not None})
    limits = {"timeout_s": _parse(env, TIMEOUT_S, float), "memory_mb": _parse(env, MEMORY_MB, int)}
    chosen = {key: value for key, value in values.items() if value is not None}
    chosen_limits = {key: value for key, value in limits.items() if value is not None}
    if chosen_limits and "limits" not in chosen:
        chosen["limits"] = Limits.from_mapping(chosen_limits)
    return Settings(**chosen)


def process_options(env: Mapping[str, str], *, require: str | None = None,
                    hide: Iterable[str] = ()) -> ProcessOptions:
    """Options of the process sandbox: strict layers (explicit, then env) and folders to hide."""
    text = require if require is not None else env.get(REQUIRE_LAYERS)
    try:
        required = parse_required(text)
    except ValueError as exc:
        raise InvalidRequest(str(exc)) from None
    local = tuple(path for path in hide if "://" not in path)
    return ProcessOptions(require=required, hide=local)


def suite_paths(env: Mapping[str, str], explicit: tuple[str, ...] = (),
                default: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Suite locations: explicit ones, else the environment's, else `default`."""
    if explicit:
        return explicit
    raw = env.get(SUITES, "")
    found = tuple(part for part in raw.split(os.pathsep) if part.strip())
    return found or default
