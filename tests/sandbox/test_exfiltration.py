"""Programs that try to read secrets or expected values they must never see.

The service's environment holds fake credentials (canaries); they must
appear nowhere: not in results, metrics, logs or files left behind.
"""

import os
from pathlib import Path

import pytest

from tests.helpers import sample
from verifier.sandbox.process import ProcessSandbox
from verifier.service import Scorer

CANARY = "AKIACANARYVERIFIER7Q"
PROBES = {
    "os.environ": "found = dict(os.environ)",
    "own environ file": "found = open('/proc/self/environ').read()",
    "zygote environ": "found = open(f'/proc/{os.getppid()}/environ').read()",
    "service environ": "found = open(f'/proc/{SERVICE}/environ').read()",
    "service memory": "found = open(f'/proc/{SERVICE}/mem', 'rb').read(64)",
    "service cmdline": "found = open(f'/proc/{SERVICE}/cmdline').read()",
}


@pytest.fixture
def canary_scorer(suites, monkeypatch):
    """A scorer started after the canaries entered the service's environment."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                 "AWS_LAMBDA_RUNTIME_API"):
        monkeypatch.setenv(name, CANARY)
    with ProcessSandbox(workers=1) as box, Scorer(suites, sandbox=box) as scorer:
        yield scorer


@pytest.mark.parametrize("probe", PROBES.values(), ids=PROBES.keys())
def test_credentials_never_reach_the_program(canary_scorer, probe, caplog, tmp_path):
    code = (f"import os\nSERVICE = {os.getpid()}\ndef add(a, b):\n    try:\n        {probe}\n"
            "    except Exception as exc:\n        found = type(exc).__name__\n"
            "    raise RuntimeError(repr(found)[:400])\n")
    (result,) = canary_scorer.evaluate([sample(code, "basics/add")])
    assert "RuntimeError" in repr(result)  # the probe ran and reported what it saw
    everything = repr(result) + repr(result.to_response(canary_scorer.settings)) + caplog.text
    assert CANARY not in everything
    assert not _files_holding(CANARY, Path("/tmp"))


def _files_holding(text: str, folder: Path) -> list[Path]:
    found = []
    for path in folder.glob("verifier-*/**/*"):
        try:
            if path.is_file() and text.encode() in path.read_bytes():
                found.append(path)
        except OSError:
            continue
    return found


def test_expected_values_are_not_in_the_child(attack):
    # The whole child address space is the program's: search it for the answer.
    code = ("import gc\ndef fizzbuzz(n):\n"
            "    seen = [o for o in gc.get_objects() if isinstance(o, list) and 'FizzBuzz' in o]\n"
            "    return seen[0] if seen else []\n")
    entry, _result, _ = attack(code, "basics/fizzbuzz")
    assert entry["aggregate_reward_score"] < 0.5  # only the tests whose answer is [] can pass


def test_program_output_in_results_is_clipped(attack):
    code = "def add(a, b):\n    raise ValueError('x' * 100000)\n"
    _, result, _ = attack(code, "basics/add")
    assert all(len(v.detail or "") < 400 for v in result.verdicts)
