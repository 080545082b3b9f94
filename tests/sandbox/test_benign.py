"""Correct programs that look unusual must keep full reward."""

import pytest

from tests.helpers import assistant, fenced

ECHO = {"entry_point": "f", "tests": [{"args": [], "expect": "ok"}]}
PROGRAMS = {
    "dunder class": "class V:\n    def __init__(self, x):\n        self._x = x\n"
                    "    def __eq__(self, o):\n        return self._x == o._x\n"
                    "    def __hash__(self):\n        return hash(self._x)\n"
                    "    def __repr__(self):\n        return 'ok'\n"
                    "def f():\n    return repr(V(1)) if V(1) == V(1) else 'no'",
    "deep recursion": "import sys\nsys.setrecursionlimit(200000)\n"
                      "def d(n):\n    return 0 if n == 0 else 1 + d(n - 1)\n"
                      "def f():\n    return 'ok' if d(100000) == 100000 else 'no'",
    "debug prints": "import sys\ndef f():\n    print('debug', list(range(5)))\n"
                    "    print('warn', file=sys.stderr)\n    return 'ok'",
    "lru_cache": "from functools import lru_cache\n@lru_cache(None)\n"
                 "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n"
                 "def f():\n    return 'ok' if fib(200) > 10**40 else 'no'",
    "threads": "import threading\ndef f():\n    out = []\n"
               "    ts = [threading.Thread(target=out.append, args=(i,)) for i in range(8)]\n"
               "    [t.start() for t in ts]\n    [t.join() for t in ts]\n"
               "    return 'ok' if sorted(out) == list(range(8)) else 'no'",
    "big ints": "def f():\n    return 'ok' if (3 ** 20000).bit_length() == 31700 else 'no'",
    "generators": "def gen():\n    yield from range(3)\ndef f():\n"
                  "    return 'ok' if sum(gen()) == 3 else 'no'",
    "exceptions": "class E(Exception):\n    pass\ndef f():\n    try:\n        raise E('x')\n"
                  "    except E:\n        return 'ok'",
    "main guard": "def f():\n    return 'ok'\nif __name__ == '__main__':\n    print(f())",
    "star imports": "from math import *\nfrom collections import *\n"
                    "def f():\n    return 'ok' if floor(pi) == 3 and Counter('a') else 'no'",
    "dataclasses typing": "from dataclasses import dataclass\nfrom typing import Optional\n"
                          "@dataclass(frozen=True)\nclass P:\n    x: int\n"
                          "    y: Optional[int] = None\n"
                          "def f():\n    return 'ok' if P(1) == P(1) else 'no'",
    "random seeded": "import random\ndef f():\n    random.seed(5)\n    a = random.random()\n"
                     "    random.seed(5)\n    return 'ok' if a == random.random() else 'no'",
}


@pytest.mark.parametrize("runtime", ["python", "restricted"])
@pytest.mark.parametrize("code", PROGRAMS.values(), ids=PROGRAMS.keys())
def test_unusual_but_correct_programs_score_one(scorer, code, runtime):
    reference = dict(ECHO, runtime=runtime)
    if runtime == "restricted" and "threading" in code:
        reference["allow_imports"] = ["threading"]  # not in the default allowlist
    (result,) = scorer.evaluate([{"id": "b", "messages": assistant(fenced(code)),
                                  "reference_answer": reference}])
    assert result.reward == 1.0, result.detail()
    assert result.metrics["safety"] == 1.0


def test_threaded_main_with_a_big_stack(scorer):
    code = ("import sys, threading\nsys.setrecursionlimit(1 << 20)\nthreading.stack_size(1 << 26)\n"
            "def main():\n    a, b = map(int, input().split())\n    print(a + b)\n"
            "threading.Thread(target=main).start()\n")
    (result,) = scorer.evaluate([{"id": "t", "messages": assistant(fenced(code)),
                                  "reference_answer": {"task_id": "stdio/sum_two"}}])
    assert result.reward == 1.0, result.detail()
