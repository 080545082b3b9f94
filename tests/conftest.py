"""Shared fixtures. Tests are laid out by kind:

tests/unit/        pure code, no processes
tests/functional/  the real process sandbox, service, CLI and handler
tests/sandbox/     adversarial programs, one test per attack
tests/e2e/         the Lambda emulator, container images, Docker
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.helpers import TESTCASES

_STRIPPED_PREFIXES = ("AWS_", "VERIFIER_")
_STRIPPED = {"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy",
             "ALL_PROXY", "all_proxy"}


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees real credentials, proxies or verifier settings from the machine."""
    for name in list(os.environ):
        if name.startswith(_STRIPPED_PREFIXES) or name in _STRIPPED:
            monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def suites() -> Any:
    from verifier.suites import load_suites

    return load_suites([TESTCASES])


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Any]:
    from verifier.sandbox.process import ProcessSandbox

    with ProcessSandbox(workers=2) as box:
        box.warm()
        yield box


@pytest.fixture(scope="session")
def scorer(suites: Any, sandbox: Any) -> Iterator[Any]:
    from verifier.service import Scorer
    from verifier.settings import Limits, Settings

    settings = Settings(limits=Limits(timeout_s=1.0, sample_timeout_s=10.0))
    with Scorer(suites, sandbox=sandbox, settings=settings) as s:
        yield s
