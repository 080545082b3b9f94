"""Choose a sandbox backend by name: `process` (the default, and the only one in Lambda) or
`docker` (warm containers), falling back to `process` when no Docker engine is reachable."""

from __future__ import annotations

import logging

from ..errors import InvalidRequest
from .docker import DockerOptions, DockerSandbox, EngineUnreachable
from .process import ProcessOptions, ProcessSandbox

__all__ = ["BACKENDS", "open_sandbox"]

log = logging.getLogger("verifier.sandbox")
BACKENDS = ("process", "docker")


def open_sandbox(backend: str, *, workers: int | None = None,
                 process: ProcessOptions | None = None,
                 docker: DockerOptions | None = None) -> ProcessSandbox | DockerSandbox:
    """A new sandbox of kind `backend` (not yet warm).

    >>> open_sandbox("process", workers=1).workers  # doctest: +SKIP
    1

    Only an unreachable engine falls back, with a warning: a reachable one
    without the images is an error that says how to build them.
    """
    if backend not in BACKENDS:
        raise InvalidRequest(f"backend must be one of {list(BACKENDS)}, got {backend!r}")
    if backend == "docker":
        try:
            return DockerSandbox(workers=workers, options=docker)
        except EngineUnreachable as exc:
            log.warning("%s; falling back to the process backend", exc)
    return ProcessSandbox(workers=workers, options=process)
