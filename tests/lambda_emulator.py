"""The real AWS Lambda runtime interface emulator (RIE), for any test that needs a Runtime API.

`rie_binary()` fetches the emulator once (tools/fetch-rie.sh: from the
aws-sam-cli wheel on PyPI into the checkout's gitignored .cache/).
`running_function()` runs a handler under it as a normal process, on free
ports, and stops it afterwards:

    with running_function(env={"VERIFIER_SUITES": str(TESTCASES)}) as function:
        answer = function.invoke([sample(...)])
        function.runtime_api     # "127.0.0.1:<port>", what the handler's process sees
        function.logs()          # everything the emulator and the function printed

The emulator serves one invocation at a time (a second concurrent one makes
it panic), exactly like one Lambda execution environment.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.helpers import ROOT

FETCH = ROOT / "tools" / "fetch-rie.sh"
INVOKE_PATH = "/2015-03-31/functions/function/invocations"


def rie_binary() -> Path:
    """The emulator binary for this machine, fetched on first use."""
    env = dict(os.environ, PYTHON=sys.executable)
    done = subprocess.run([str(FETCH)], capture_output=True, text=True, env=env, timeout=300)
    if done.returncode != 0:
        # An unprivileged user cannot write to the checkout's cache: use its own.
        own = Path(tempfile.gettempdir()) / f"verifier-cache-{os.getuid()}"
        env["VERIFIER_CACHE_DIR"] = str(own)
        done = subprocess.run([str(FETCH)], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, f"cannot fetch the emulator: {done.stderr}"
    return Path(done.stdout.strip())


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now (other builds share this machine)."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def json_lines(logs: str) -> list[dict[str, Any]]:
    """Every line of a function's output that is a JSON object (structured logs, EMF blobs)."""
    found = []
    for line in logs.splitlines():
        if line.startswith("{"):
            with contextlib.suppress(json.JSONDecodeError):
                found.append(json.loads(line))
    return found


def wait_for_http(url: str, timeout_s: float) -> None:
    """Return once an HTTP server answers at `url` (any status).

    A port published by Docker accepts connections before the program inside
    listens (the proxy resets them then), so a connect is no proof of life.
    """
    end = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            if time.monotonic() > end:
                raise TimeoutError(f"no HTTP server answers at {url}") from None
            time.sleep(0.1)


def post_invocation(url: str, event: Any, timeout_s: float = 120.0) -> Any:
    """POST an event to an emulator's invocation URL and return the decoded answer.

    A function error (the handler raised, or the init phase failed, which the
    emulator answers with HTTP 502) comes back as its error document
    ({"errorType": ..., "errorMessage": ...}), as Lambda's Invoke API gives it.
    """
    request = urllib.request.Request(url, data=json.dumps(event).encode("utf-8"),
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        body = exc.read()
        with contextlib.suppress(json.JSONDecodeError):
            document = json.loads(body)
            if isinstance(document, dict) and "errorType" in document:
                return document
        raise AssertionError(f"emulator answered HTTP {exc.code}: {body[:500]!r}") from None


@dataclass
class Function:
    """A handler running under the emulator."""

    url: str
    """The invocation URL."""
    endpoint_url: str
    """What boto3 and `verifier invoke --endpoint-url` take."""
    runtime_api: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def invoke(self, event: Any, timeout_s: float = 120.0) -> Any:
        return post_invocation(self.url, event, timeout_s)

    def logs(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def json_lines(self) -> list[dict[str, Any]]:
        return json_lines(self.logs())


@contextlib.contextmanager
def running_function(handler: str = "verifier.handler.lambda_handler", *,
                     env: Mapping[str, str] | None = None, python: str = sys.executable,
                     cwd: Path = ROOT) -> Iterator[Function]:
    """Run `handler` under the emulator on free ports; stop it and its children after."""
    port, api_port = free_port(), free_port()
    # Only what a Lambda environment would hold: no credentials from this machine.
    child_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tempfile.gettempdir(),
                 "LANG": "C.UTF-8", **(env or {})}
    with tempfile.TemporaryDirectory(prefix="verifier-rie-") as folder:
        log_path = Path(folder) / "function.log"
        with open(log_path, "wb") as log_file:
            process = subprocess.Popen(
                [str(rie_binary()), "--runtime-interface-emulator-address", f"127.0.0.1:{port}",
                 "--runtime-api-address", f"127.0.0.1:{api_port}",
                 python, "-m", "awslambdaric", handler],
                stdout=log_file, stderr=subprocess.STDOUT, env=child_env, cwd=cwd,
                start_new_session=True)
        try:
            wait_for_http(f"http://127.0.0.1:{port}/", timeout_s=20)
            yield Function(url=f"http://127.0.0.1:{port}{INVOKE_PATH}",
                           endpoint_url=f"http://127.0.0.1:{port}",
                           runtime_api=f"127.0.0.1:{api_port}", process=process,
                           log_path=log_path)
        finally:
            _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    # The emulator stops the runtime it started; the runtime's zygotes see
    # their pipes close and exit. SIGKILL for the whole group if it lingers.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
