"""Environment variable names and their parsing, in one place.

Only `cli.py` and `handler.py` call `settings_from_env`, passing the
environment in; library code never reads `os.environ`. Precedence is always:
explicit argument, then environment, then default.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from .errors import InvalidRequest
from .settings import Limits, Settings

__all__ = [
    "METRICS_NAMESPACE",
    "SERVICE_NAME",
    "SUITES",
    "WORKERS",
    "log_level",
    "metrics_namespace",
    "service_name",
    "settings_from_env",
    "suite_paths",
]

SUITES = "VERIFIER_SUITES"
"""Suite folders, files or `s3://bucket/prefix/` URLs, separated by ':'."""
WORKERS = "VERIFIER_WORKERS"
FLOOR_REWARD = "VERIFIER_FLOOR_REWARD"
UNSCORED_REWARD = "VERIFIER_UNSCORED_REWARD"
TIMEOUT_S = "VERIFIER_TIMEOUT_S"
MEMORY_MB = "VERIFIER_MEMORY_MB"
BATCH_MARGIN_S = "VERIFIER_BATCH_MARGIN_S"
LOG_LEVEL = "VERIFIER_LOG_LEVEL"
METRICS_NAMESPACE = "POWERTOOLS_METRICS_NAMESPACE"
"""CloudWatch namespace of the Lambda's metrics; Powertools' own name for it."""
SERVICE_NAME = "POWERTOOLS_SERVICE_NAME"
"""`service` key of log lines and dimension of metrics; Powertools' own name for it."""

_DEFAULT_NAMESPACE = "Verifier"
_DEFAULT_SERVICE = "verifier"
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_LOCATION_SEPARATOR = re.compile(r":(?!//)")
"""':' separates locations, except the one in a URL scheme such as s3://."""

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
    }
    values.update({key: value for key, value in explicit.items() if value is not None})
    limits = {"timeout_s": _parse(env, TIMEOUT_S, float), "memory_mb": _parse(env, MEMORY_MB, int)}
    chosen = {key: value for key, value in values.items() if value is not None}
    chosen_limits = {key: value for key, value in limits.items() if value is not None}
    if chosen_limits and "limits" not in chosen:
        chosen["limits"] = Limits.from_mapping(chosen_limits)
    return Settings(**chosen)


def suite_paths(env: Mapping[str, str], explicit: tuple[str, ...] = (),
                default: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Suite locations: explicit ones, else the environment's, else `default`."""
    if explicit:
        return explicit
    raw = env.get(SUITES, "")
    parts = _LOCATION_SEPARATOR.split(raw) if os.pathsep == ":" else raw.split(os.pathsep)
    found = tuple(part for part in parts if part.strip())
    return found or default


def log_level(env: Mapping[str, str], default: str) -> str:
    """The log level name from the environment, else `default`; refuses unknown names."""
    raw = env.get(LOG_LEVEL, "").strip().upper()
    if not raw:
        return default
    if raw not in _LOG_LEVELS:
        raise InvalidRequest(f"{LOG_LEVEL}={raw!r} is not one of {', '.join(_LOG_LEVELS)}")
    return raw


def metrics_namespace(env: Mapping[str, str]) -> str:
    """The CloudWatch namespace for metrics: the environment's, else "Verifier"."""
    return env.get(METRICS_NAMESPACE, "").strip() or _DEFAULT_NAMESPACE


def service_name(env: Mapping[str, str]) -> str:
    """The service name in logs and metrics: the environment's, else "verifier"."""
    return env.get(SERVICE_NAME, "").strip() or _DEFAULT_SERVICE
