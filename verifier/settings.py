"""Frozen settings objects, passed explicitly.

Nothing here reads the environment: `cli.py` and `handler.py` do that, in the
order explicit argument, environment, default, and build these objects.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from .errors import InvalidRequest

__all__ = ["Limits", "Settings"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """Resource limits for running one sample.

    >>> Limits(timeout_s=1.5).memory_mb
    512
    """

    timeout_s: float = 2.0
    """Wall-clock seconds allowed for each test (and for loading the program)."""
    memory_mb: int = 512
    """Address-space limit of the process running the program."""
    output_bytes: int = 1 << 20
    """Captured standard output kept per test; more is an OUTPUT_LIMIT verdict."""
    processes: int = 16
    """Processes or threads the program may start beside itself."""
    sample_timeout_s: float = 30.0
    """Wall-clock seconds for all tests of one sample together."""
    file_size_mb: int = 8
    """Largest file the program may write."""
    compile_timeout_s: float = 10.0
    """Wall-clock seconds for compiling a C++ program (once per sample)."""

    def __post_init__(self) -> None:
        for name in ("timeout_s", "sample_timeout_s", "compile_timeout_s"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or isinstance(value, bool) or not value > 0:
                raise InvalidRequest(f"limits.{name} must be a positive number, got {value!r}")
        for name in ("memory_mb", "output_bytes", "processes", "file_size_mb"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise InvalidRequest(f"limits.{name} must be a non-negative integer, got {value!r}")
        if self.memory_mb < 64:
            raise InvalidRequest(f"limits.memory_mb must be at least 64, got {self.memory_mb}")

    @classmethod
    def from_mapping(cls, data: Any, *, base: Limits | None = None,
                     where: str = "limits") -> Limits:
        """Build limits from a JSON object, unknown keys refused, missing keys from `base`."""
        base = base or cls()
        if data is None:
            return base
        if not isinstance(data, dict):
            raise InvalidRequest(f"{where} must be an object, got {type(data).__name__}")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InvalidRequest(f"{where}: unknown key(s) {unknown}; known: {sorted(known)}")
        return dataclasses.replace(base, **data)

    def capped(self, cap: Limits) -> Limits:
        """These limits, each no larger than the same limit in `cap`."""
        return Limits(
            timeout_s=min(self.timeout_s, cap.timeout_s),
            memory_mb=min(self.memory_mb, cap.memory_mb),
            output_bytes=min(self.output_bytes, cap.output_bytes),
            processes=min(self.processes, cap.processes),
            sample_timeout_s=min(self.sample_timeout_s, cap.sample_timeout_s),
            file_size_mb=min(self.file_size_mb, cap.file_size_mb),
            compile_timeout_s=min(self.compile_timeout_s, cap.compile_timeout_s),
        )


_DEFAULT_CAP = Limits(
    timeout_s=20.0,
    memory_mb=4096,
    output_bytes=16 << 20,
    processes=64,
    sample_timeout_s=120.0,
    file_size_mb=64,
    compile_timeout_s=60.0,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """How the service scores a batch.

    >>> Settings(workers=2).floor_reward
    -1.0
    """

    workers: int | None = None
    """Samples run in parallel; None sizes it to the CPUs available."""
    limits: Limits = field(default_factory=Limits)
    """Limits for a suite that sets none of its own."""
    limits_cap: Limits = _DEFAULT_CAP
    """No suite, stored or inline, may ask for more than this."""
    floor_reward: float = -1.0
    """Reward of a sample that is malformed or ran out of batch time."""
    unscored_reward: float = 0.0
    """Reward of a sample the infrastructure could not judge (Lambda needs a number)."""
    max_code_bytes: int = 256 * 1024
    """Longer extracted programs are not run; they score as not loading."""
    batch_margin_s: float = 1.0
    """Time kept in hand before a batch deadline to answer every sample."""
    runtime: str = "python"
    """Runtime for suites and events that name none: `python` (the whole language,
    inside the OS sandbox) or `restricted` (RestrictedPython on top of it)."""
    cache_entries: int = 4096
    """Finished runs kept for identical completions (0 turns the cache off)."""

    def __post_init__(self) -> None:
        if self.workers is not None and self.workers < 1:
            raise InvalidRequest(f"workers must be at least 1, got {self.workers}")
        for name in ("floor_reward", "unscored_reward"):
            value = getattr(self, name)
            if not -1.0 <= value <= 1.0:
                raise InvalidRequest(f"{name} must lie in [-1, 1], got {value}")
        if self.max_code_bytes < 1:
            raise InvalidRequest("max_code_bytes must be positive")
        if self.cache_entries < 0:
            raise InvalidRequest("cache_entries must be zero or more")
        if self.runtime not in ("python", "restricted"):
            raise InvalidRequest(f"runtime must be python or restricted, got {self.runtime!r}")
