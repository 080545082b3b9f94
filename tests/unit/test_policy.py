"""The restricted runtime's compile-time policy (pure: transformation only)."""

import pytest

from verifier.sandbox.policy import allowed_imports, restrict

ALLOWED = {
    "dunder class": "class P:\n    def __init__(self, x):\n        self._x = x\n"
                    "    def __repr__(self):\n        return f'P({self._x})'\n"
                    "    def __eq__(self, other):\n        return self._x == other._x\n"
                    "    def __hash__(self):\n        return hash(self._x)\n",
    "private names": "_cache = {}\ndef _helper(_a):\n    return _a\n",
    "augmented item": "d = {}\nd['k'] = 0\nd['k'] += 1\nxs = [1]\nxs[0] *= 3\n",
    "augmented attribute": "class C:\n    n = 0\nc = C()\nc.n += 2\n",
    "nonlocal": "def outer():\n    n = 0\n    def inner():\n        nonlocal n\n        n += 1\n"
                "    inner()\n    return n\n",
    "comprehensions": "xs = [a * b for a, b in zip(range(3), range(3)) if a]\n"
                      "d = {k: v for k, v in enumerate('ab')}\ns = {x for x in xs}\n",
    "star call and import": "from math import *\nm = [[1, 2], [3, 4]]\nt = list(zip(*m))\n",
    "slots and main guard": ("class S:\n    __slots__ = ('a',)\n"
                             "if __name__ == '__main__':\n    pass\n"),
    "dataclass and typing": "from dataclasses import dataclass\nfrom typing import List\n"
                            "@dataclass\nclass Pt:\n    x: int\n    ys: List[int]\n",
    "async syntax": "async def f():\n    return 1\n",
    "match": "match 3:\n    case 3:\n        pass\n",
}

REFUSED = {
    "subclasses walk": "().__class__.__base__.__subclasses__()",
    "globals": "def f():\n    pass\nf.__globals__",
    "code object": "(lambda: 0).__code__",
    "frame": "def g():\n    yield 1\ng().gi_frame",
    "traceback": "try:\n    1 / 0\nexcept Exception as e:\n    e.__traceback__",
    "builtins name": "__builtins__",
    "import function": "__import__('os')",
    "guard rebinding": "_getattr_ = lambda o, n: None",
    "dict": "class A:\n    pass\nA.__dict__",
    "mro": "int.__mro__",
    "getattribute": "object.__getattribute__(1, 'real')",
}


@pytest.mark.parametrize("code", ALLOWED.values(), ids=ALLOWED.keys())
def test_generated_code_constructs_are_allowed(code):
    result = restrict(code)
    assert result.errors == ()
    compile(result.code, "<t>", "exec")


@pytest.mark.parametrize("code", REFUSED.values(), ids=REFUSED.keys())
def test_ways_out_are_refused_at_compile_time(code):
    result = restrict(code)
    assert result.code is None
    assert result.errors


def test_attribute_reads_go_through_the_guard():
    code = restrict("import math\nx = math.pi\nobj = object()\nobj.y = 1\n").code
    assert "_getattr_(math, 'pi')" in code
    assert "obj.y = 1" in code  # stores stay native


def test_subscripts_stay_native():
    code = restrict("a = [1]\nb = a[0]\na[0] += b\n").code
    assert "_getitem_" not in code and "_write_" not in code and "_inplacevar_" not in code


def test_syntax_errors_are_reported_not_raised():
    assert restrict("def f(:\n").errors[0].startswith("SyntaxError")


def test_import_allowlist():
    default = allowed_imports()
    assert {"math", "collections", "heapq", "sys", "typing"} <= default
    assert not {"os", "subprocess", "socket", "ctypes", "gc", "inspect"} & default
    assert "threading" in allowed_imports(["threading"])
