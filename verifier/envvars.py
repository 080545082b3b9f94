"""Environment variable names and their parsing, in one place.

Only the edges call `settings_from_env`, passing the environment in:
`cli.py`, `handler.py` and `integrations/common.py` (verl's reward function
has no place for settings); library code never reads `os.environ`. Precedence is always:
explicit argument, then environment, then default.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from .errors import InvalidRequest
from .isolation import parse_required
from .sandbox.backends import BACKENDS
from .sandbox.docker import DockerOptions
from .sandbox.process import ProcessOptions, available_cpus
from .settings import Limits, Settings

__all__ = [
    "BACKEND",
    "METRICS_NAMESPACE",
    "SERVICE_NAME",
    "SUITES",
    "WORKERS",
    "backend",
    "docker_options",
    "lambda_workers",
    "log_level",
    "metrics_namespace",
    "process_options",
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
RUNTIME = "VERIFIER_RUNTIME"
"""python (default) or restricted, for suites and events that name none."""
REQUIRE_LAYERS = "VERIFIER_REQUIRE_LAYERS"
"""Strict mode: comma-separated isolation layers that must hold, e.g. seccomp,no_new_files."""
BACKEND = "VERIFIER_BACKEND"
"""process (default) or docker: where programs run."""
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
        "runtime": _parse(env, RUNTIME, str),
    }
    values.update({key: value for key, value in explicit.items() if value is not None})
    limits = {"timeout_s": _parse(env, TIMEOUT_S, float), "memory_mb": _parse(env, MEMORY_MB, int)}
    chosen = {key: value for key, value in values.items() if value is not None}
    chosen_limits = {key: value for key, value in limits.items() if value is not None}
    if chosen_limits and "limits" not in chosen:
        chosen["limits"] = Limits.from_mapping(chosen_limits)
    return Settings(**chosen)


LAMBDA_MEMORY = "AWS_LAMBDA_FUNCTION_MEMORY_SIZE"
_MB_PER_VCPU = 1769
"""AWS Lambda gives a function one vCPU per 1,769 MB of memory (6 at most)."""


def lambda_workers(env: Mapping[str, str]) -> int | None:
    """Workers for the vCPUs a Lambda function's memory buys; None outside Lambda.

    Lambda may show more CPUs than the memory pays for, so os.sched_getaffinity
    alone would oversubscribe a small function.
    """
    memory = _parse(env, LAMBDA_MEMORY, int)
    if memory is None:
        return None
    vcpus = max(1, min(6, -(-memory // _MB_PER_VCPU)))
    return min(vcpus, available_cpus())


def _required(env: Mapping[str, str], require: str | None) -> frozenset[str]:
    text = require if require is not None else env.get(REQUIRE_LAYERS)
    try:
        return parse_required(text)
    except ValueError as exc:
        raise InvalidRequest(str(exc)) from None


def process_options(env: Mapping[str, str], *, require: str | None = None,
                    hide: Iterable[str] = ()) -> ProcessOptions:
    """Options of the process sandbox: strict layers (explicit, then env) and folders to hide."""
    local = tuple(path for path in hide if "://" not in path)
    return ProcessOptions(require=_required(env, require), hide=local)


def docker_options(env: Mapping[str, str], *, require: str | None = None) -> DockerOptions:
    """Options of the Docker sandbox: strict layers (explicit, then env)."""
    return DockerOptions(require=_required(env, require))


def backend(env: Mapping[str, str], explicit: str | None = None) -> str:
    """The backend's name: explicit, then env, then `process`."""
    name = explicit or env.get(BACKEND, "").strip() or "process"
    if name not in BACKENDS:
        raise InvalidRequest(f"{BACKEND}={name!r}: must be one of {list(BACKENDS)}")
    return name


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
