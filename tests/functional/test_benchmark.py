"""The benchmark's baselines must agree with the real sandbox, or its ratios mean nothing."""

from tests.helpers import TESTCASES
from verifier.benchmark import workload
from verifier.benchmark.baselines import FreshInterpreter, InProcess
from verifier.benchmark.measure import _timed
from verifier.sandbox.process import ProcessSandbox
from verifier.suites import load_suites

INDEX = load_suites([TESTCASES])


def test_sandbox_floor_and_naive_harness_give_the_same_rewards():
    load = workload.build(INDEX, size=40, seed=1)
    _, floor = _timed(INDEX, InProcess(), load.samples, parallel=False)
    _, naive = _timed(INDEX, FreshInterpreter(), load.samples, parallel=True)
    with ProcessSandbox(workers=2) as box:
        _, sandboxed = _timed(INDEX, box, load.samples, parallel=True)
    assert floor == naive == sandboxed
    correct = [r for r, kind in zip(sandboxed, load.kinds, strict=True) if kind == "correct"]
    looping = [r for r, kind in zip(sandboxed, load.kinds, strict=True) if kind == "timeout"]
    assert correct and all(r == 1.0 for r in correct)
    assert looping and all(r is not None and r < 0 for r in looping)
