"""The Docker backend: a warm pool of containers per language, one zygote in each.

For self-hosted training (verl or TRL on GPU nodes) a container per worker
is a stronger wall than a process: no network at all, a read-only root with
a small /tmp, every capability dropped, no-new-privileges, memory and pids
limits, a non-root user of its own per worker, and no stored suite inside.
Each container's main process is the zygote of the process backend, so a
sample costs a fork inside a warm container, not a container start, and
every layer of the process sandbox (seccomp, no new files, hard limits, the
probe) holds inside it too.

Languages map to images (`images.DEFAULT_IMAGES`); a pool for a language is
started on first use (or by `warm`). A container that dies or stops
answering raises `ZygoteFailed` (transient; `suspect` when a job was
running) and is replaced on the next job, so the service's retry applies
and a sample that kills its container twice is scored as its own failure.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import socket
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from ..errors import SandboxError, clip
from ..isolation import missing, one_line
from .base import Job, RunReport, TestRecord
from .container import JOBS_DIR, OWNER_LABEL, ContainerSpec, WarmContainer
from .images import DEFAULT_IMAGES, image_problem
from .process import available_cpus

__all__ = ["DockerOptions", "DockerSandbox", "EngineUnreachable", "docker_client"]

log = logging.getLogger("verifier.sandbox")


@dataclass(frozen=True, slots=True, kw_only=True)
class DockerOptions:
    """How the Docker backend starts its containers.

    >>> DockerOptions(memory_mb=1024).pids
    128
    """

    images: tuple[tuple[str, str], ...] = DEFAULT_IMAGES
    """(language, image) pairs; a language whose image is missing is not offered."""
    memory_mb: int = 2048
    """Memory limit of each container (no swap): the zygote, the compiler or the
    program, and the /tmp files together. Each program also has its own limit."""
    pids: int = 128
    """Process and thread limit of each container (the pids cgroup)."""
    tmpfs_mb: int = 256
    """Size of the writable /tmp (work folders, the compiled binary)."""
    cpus: float | None = None
    """CPU limit of each container; None leaves it to the host."""
    uid_base: int = 62000
    """Containers run as uid uid_base + worker index: a uid of their own per worker,
    so RLIMIT_NPROC counts only that worker's processes."""
    no_new_files: bool = True
    seccomp: bool = True
    """As in ProcessOptions: the runner's layers inside the container."""
    require: frozenset[str] = frozenset()
    """Layers that must hold (strict mode); see `verifier doctor --backend docker`."""
    start_timeout_s: float = 30.0
    name_prefix: str = "verifier-sandbox"
    """Container names start with this (then language, service pid, worker, random)."""


class EngineUnreachable(SandboxError):
    """No Docker engine answers here (or the docker package is missing)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, transient=False)


def docker_client(timeout_s: float = 60.0) -> Any:
    """A client of the engine the environment names (DOCKER_HOST or the local socket).

    Raises EngineUnreachable when the SDK is missing or no engine answers.
    """
    try:
        import docker
    except ImportError as exc:
        raise EngineUnreachable("the Docker backend needs the docker package: "
                                "pip install 'verifier[docker]'") from exc
    try:
        client = docker.from_env(timeout=int(timeout_s))
        client.ping()
    except Exception as exc:  # DockerException, requests' connection errors
        raise EngineUnreachable(f"no Docker engine reachable: {clip(exc)}") from exc
    return client


class _Slot:
    """A worker place in one language's pool: its index and its container, if started."""

    def __init__(self, language: str, index: int) -> None:
        self.language = language
        self.index = index
        self.container: WarmContainer | None = None


def _engine_layers(attrs: dict[str, Any], zygote_pid: int) -> dict[str, bool]:
    """Layers the engine enforces, read back from the running container (not assumed)."""
    host = attrs.get("HostConfig", {})
    user = str(attrs.get("Config", {}).get("User", "")).split(":")[0]
    pidns = host.get("PidMode", "") in ("", "private") and zygote_pid == 1
    return {
        "netns": host.get("NetworkMode") == "none",
        "pidns": pidns,
        "mountns": True,  # a container's own file system: the suites are not in it
        "cgroup": bool(host.get("Memory")) and (host.get("PidsLimit") or 0) > 0,
        "uid_drop": user.isdigit() and int(user) != 0,
        "service_unreachable": pidns,
        "service_non_dumpable": pidns,  # the service is in no namespace a program sees
        "read_only_root": host.get("ReadonlyRootfs") is True,
        "no_capabilities": host.get("CapDrop") == ["ALL"]
        and "no-new-privileges" in (host.get("SecurityOpt") or []),
    }


class DockerSandbox:
    """Run programs in warm containers, one zygote per container, one pool per language.

    >>> with DockerSandbox(workers=2) as sandbox:  # doctest: +SKIP
    ...     report = sandbox.run(job, budget_s=5.0)
    """

    def __init__(self, *, workers: int | None = None, options: DockerOptions | None = None,
                 client: Any = None) -> None:
        self.options = options or DockerOptions()
        self._workers = workers or available_cpus()
        self._owns_client = client is None
        self._client = client if client is not None else docker_client()
        self._owner = f"{socket.gethostname()}:{os.getpid()}"
        self._remove_orphans()
        self._images: dict[str, str] = {}
        problems = []
        for language, image in self.options.images:
            problem = image_problem(self._client, image)
            if problem is None:
                self._images[language] = image
            else:
                problems.append(problem)
        if "python" not in self._images:
            raise SandboxError("; ".join(problems), transient=False)
        for problem in problems:
            log.warning("Docker backend: %s", problem)
        self._pools: dict[str, queue.LifoQueue[_Slot]] = {}
        self._every: list[_Slot] = []
        for language in self._images:
            pool: queue.LifoQueue[_Slot] = queue.LifoQueue()
            for index in reversed(range(self._workers)):
                slot = _Slot(language, index)
                pool.put(slot)
                self._every.append(slot)
            self._pools[language] = pool
        self._closed = False
        self.layers: dict[str, Any] = {}

    @property
    def workers(self) -> int:
        return self._workers

    @property
    def languages(self) -> frozenset[str]:
        """Languages whose image is present and built from this runner."""
        return frozenset(self._images)

    def __enter__(self) -> DockerSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _spec(self, language: str, index: int) -> ContainerSpec:
        options = self.options
        return ContainerSpec(image=self._images[language], language=language,
                             memory_mb=options.memory_mb, pids=options.pids,
                             tmpfs_mb=options.tmpfs_mb, uid=options.uid_base + index,
                             cpus=options.cpus, name_prefix=options.name_prefix,
                             owner=self._owner)

    def _config(self, index: int) -> dict[str, Any]:
        # Not root inside: no namespaces or cgroups of the zygote's own, no uid drop;
        # the container supplies those. One task of the uid exists already: the zygote.
        return {"k": "config", "tmp": JOBS_DIR, "index": index, "service_pid": None,
                "no_new_files": self.options.no_new_files, "seccomp": self.options.seccomp,
                "namespaces": False, "cgroup": False, "subreaper": True, "hide": [],
                "nproc_base": 1}

    def _ready(self, slot: _Slot) -> WarmContainer:
        if self._closed:
            raise SandboxError("the sandbox is closed", transient=False)
        if slot.container is not None and not slot.container.alive():
            slot.container.kill()
            slot.container = None
        if slot.container is None:
            language = slot.language
            container = WarmContainer(self._client, self._spec(language, slot.index),
                                      self._config(slot.index), index=slot.index,
                                      start_timeout_s=self.options.start_timeout_s)
            layers = {**container.layers, **_engine_layers(container.inspect(), container.pid)}
            absent = missing(layers, self.options.require)
            if absent:
                container.kill()
                raise SandboxError(
                    f"strict mode: required isolation layer(s) {absent} do not hold in the "
                    f"{language} container; run `verifier doctor --backend docker`",
                    transient=False)
            if not self.layers:
                log.info("docker %s", one_line(layers))
                self.layers = layers
            slot.container = container
        return slot.container

    def _each_slot(self, languages: Iterable[str], action: Callable[[_Slot], None]) -> None:
        taken = [(pool, pool.get()) for language in languages
                 for pool in [self._pools[language]] for _ in range(self._workers)]
        try:
            with ThreadPoolExecutor(max_workers=len(taken)) as starting:
                for done in [starting.submit(action, slot) for _, slot in taken]:
                    done.result()
        finally:
            for pool, slot in reversed(taken):
                pool.put(slot)

    def warm(self, languages: Iterable[str] | None = None) -> None:
        """Start the containers of `languages` (default: every one offered) now, in parallel."""
        chosen = list(self._images) if languages is None else [
            language for language in languages if language in self._images]
        def start(slot: _Slot) -> None:
            self._ready(slot)

        self._each_slot(chosen, start)

    def run(self, job: Job, *, budget_s: float,
            on_record: Callable[[TestRecord], bool] | None = None) -> RunReport:
        pool = self._pools.get(job.language)
        if pool is None:
            raise SandboxError(f"no image for {job.language} programs", transient=False)
        slot = pool.get()
        try:
            container = self._ready(slot)
            try:
                return container.run(job, budget_s=budget_s, on_record=on_record)
            except BaseException:
                container.kill()
                slot.container = None
                raise
        finally:
            pool.put(slot)

    def cold_run(self, job: Job, *, budget_s: float, index: int = 0) -> RunReport:
        """Run `job` in a container started for it and removed after: what a harness
        without a warm pool pays per sample (the benchmark's baseline)."""
        if job.language not in self._images:
            raise SandboxError(f"no image for {job.language} programs", transient=False)
        container = WarmContainer(self._client, self._spec(job.language, index),
                                  self._config(index), index=index,
                                  start_timeout_s=self.options.start_timeout_s)
        try:
            return container.run(job, budget_s=budget_s, on_record=None)
        finally:
            container.close()

    def sweep(self) -> int:
        """Nothing to do between batches: each job is cleaned up inside its container, and
        a container that misbehaves is replaced. Kept for the Sandbox interface."""
        return 0

    def container_names(self) -> list[str]:
        """Names of the containers running now (for tests and `doctor`)."""
        return [slot.container.container.name for slot in self._every
                if slot.container is not None and slot.container.container is not None]

    def _remove_orphans(self) -> None:
        """Remove containers a crashed service of this host left (its pid is gone)."""
        with contextlib.suppress(Exception):  # best effort: never blocks a start
            host = socket.gethostname()
            for container in self._client.containers.list(
                    all=True, filters={"label": "verifier.sandbox=1"}):
                owner = str(container.labels.get(OWNER_LABEL, ""))
                name, _, pid = owner.rpartition(":")
                if name == host and pid.isdigit() and not _alive(int(pid)):
                    container.remove(force=True)

    def close(self) -> None:
        self._closed = True
        with ThreadPoolExecutor(max_workers=max(1, len(self._every))) as closing:
            for slot in self._every:
                if slot.container is not None:
                    closing.submit(slot.container.close)
        for slot in self._every:
            slot.container = None
        if self._owns_client:
            with contextlib.suppress(Exception):
                self._client.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
