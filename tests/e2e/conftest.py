"""Docker fixtures: the images built once per session (a no-op when current), warm pools,
and a check that no container of this test process outlives its pool."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from tests.helpers import ROOT

BUILD_TIMEOUT_S = 3600  # the first build makes three Debian bases from the archive


@pytest.fixture(scope="session")
def images() -> None:
    done = subprocess.run([str(ROOT / "scripts" / "sandbox-images.sh")], cwd=ROOT,
                          capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.fixture(scope="session")
def client(images: None) -> Any:
    from verifier.sandbox.docker import docker_client

    return docker_client()


def our_containers(client: Any) -> list[Any]:
    """Containers this test process started (by the owner label every one carries)."""
    import os

    owner = f"{socket.gethostname()}:{os.getpid()}"
    return client.containers.list(all=True, filters={"label": f"verifier.sandbox.owner={owner}"})


@pytest.fixture(scope="session")
def docker_sandbox(client: Any) -> Iterator[Any]:
    from verifier.sandbox.docker import DockerSandbox

    with DockerSandbox(workers=2, client=client) as box:
        box.warm()
        yield box
    assert our_containers(client) == [], "the pool left containers behind"


@pytest.fixture(scope="session")
def docker_scorer(suites: Any, docker_sandbox: Any) -> Iterator[Any]:
    from verifier.service import Scorer
    from verifier.settings import Limits, Settings

    settings = Settings(limits=Limits(timeout_s=2.0, sample_timeout_s=20.0))
    with Scorer(suites, sandbox=docker_sandbox, settings=settings) as scorer:
        yield scorer


@pytest.fixture
def own_pool(client: Any, request: Any) -> Iterator[Any]:
    """A one-worker pool with the DockerOptions given as the test's parameter."""
    from verifier.sandbox.docker import DockerOptions, DockerSandbox

    with DockerSandbox(workers=1, client=client, options=DockerOptions(**request.param)) as box:
        yield box
