import threading
import time

import pytest

from verifier.cache import RunCache, normalise, run_key
from verifier.sandbox.base import Job, RunReport, TestInput
from verifier.settings import Limits

JOB = Job(code="def f(x):\n    return x\n", entry_point="f", limits=Limits(),
          tests=(TestInput(index=0, kind="call", args=[1]),))


def key(job=JOB, **extra):
    args = {"suite_fingerprint": "suite-a", "stop_at_failure": False, **extra}
    return run_key(job, **args)


def test_normalisation_ignores_line_endings_and_trailing_space():
    assert normalise("a = 1  \r\nb = 2\n\n") == normalise("a = 1\nb = 2")
    assert normalise("a = 1") != normalise("a  = 1")


def test_key_follows_everything_that_changes_an_outcome():
    import dataclasses

    same = dataclasses.replace(JOB, code="def f(x):   \n    return x\r\n")
    assert key(same) == key()
    assert key(suite_fingerprint="suite-b") != key()
    assert key(stop_at_failure=True) != key()
    assert key(dataclasses.replace(JOB, limits=Limits(timeout_s=9))) != key()
    assert key(dataclasses.replace(JOB, runtime="restricted")) != key()
    assert key(dataclasses.replace(JOB, imports=frozenset({"os"}))) != key()
    assert key(dataclasses.replace(JOB, code="def f(x):\n    return -x\n")) != key()
    assert key(dataclasses.replace(JOB, tests=JOB.tests[:0])) != key()


def test_hit_after_a_storable_run_and_none_after_an_unstorable_one():
    cache = RunCache(capacity=8)
    runs = []

    def run(storable):
        def inner():
            runs.append(1)
            return RunReport(loaded=True), storable
        return inner

    assert cache.get_or_run("a", run(False))[1] is False
    assert cache.get_or_run("a", run(True))[1] is False
    assert cache.get_or_run("a", run(True))[1] is True
    assert len(runs) == 2


def test_capacity_evicts_the_least_recently_used():
    cache = RunCache(capacity=2)
    for name in ("a", "b"):
        cache.get_or_run(name, lambda: (RunReport(), True))
    cache.get_or_run("a", lambda: (RunReport(), True))  # a is now recent
    cache.get_or_run("c", lambda: (RunReport(), True))
    assert cache.get_or_run("a", lambda: (RunReport(), True))[1] is True
    assert cache.get_or_run("b", lambda: (RunReport(), True))[1] is False


def test_concurrent_duplicates_run_once():
    cache = RunCache(capacity=8)
    started = []

    def slow():
        started.append(1)
        time.sleep(0.2)
        return RunReport(loaded=True), True

    results = []
    threads = [threading.Thread(target=lambda: results.append(cache.get_or_run("k", slow)))
               for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(started) == 1
    assert sorted(cached for _, cached in results) == [False, True, True, True, True]


def test_an_error_is_not_shared_and_waiters_run_for_themselves():
    cache = RunCache(capacity=8)
    gate = threading.Event()
    calls = []

    def failing():
        calls.append("leader")
        gate.wait(1)
        raise RuntimeError("sandbox down")

    def working():
        calls.append("waiter")
        return RunReport(loaded=True), True

    waiter_result = []

    def lead():
        with pytest.raises(RuntimeError):
            cache.get_or_run("k", failing)

    leader = threading.Thread(target=lead)
    leader.start()
    time.sleep(0.05)
    waiter = threading.Thread(target=lambda: waiter_result.append(cache.get_or_run("k", working)))
    waiter.start()
    time.sleep(0.05)
    gate.set()
    leader.join()
    waiter.join()
    assert calls == ["leader", "waiter"]
    assert waiter_result[0][1] is False


def test_zero_capacity_turns_it_off():
    cache = RunCache(capacity=0)
    cache.get_or_run("k", lambda: (RunReport(), True))
    assert cache.get_or_run("k", lambda: (RunReport(), True))[1] is False
