"""What the restricted runtime refuses, shared by the trusted policy and the guards.

Kept apart from both because the policy (trusted side, RestrictedPython)
checks names when the program is compiled, and the guards (inside the
sandbox) check the same names again when they are computed at run time, as
in getattr(obj, "__glo" + "bals__").
"""

from __future__ import annotations

__all__ = ["DEFAULT_IMPORTS", "DENIED_ATTRIBUTES", "DENIED_NAMES", "GUARD_NAMES", "NEVER_IMPORT"]

GUARD_NAMES = frozenset({"_getattr_", "_getiter_", "_apply_", "_print_", "_write_",
                         "_getitem_", "_inplacevar_", "_unpack_sequence_",
                         "_iter_unpack_sequence_", "__metaclass__"})
"""Names the compiled program uses to reach the guards; a program may not bind them."""

DENIED_NAMES = GUARD_NAMES | frozenset({"__builtins__", "__import__", "__loader__", "__spec__"})

DENIED_ATTRIBUTES = frozenset({
    # out of an object to its interpreter: globals, builtins, code, classes' relatives
    "__globals__", "__builtins__", "__code__", "__closure__", "__dict__", "__subclasses__",
    "__bases__", "__base__", "__mro__", "__getattribute__", "__self__", "__func__",
    "__reduce__", "__reduce_ex__", "__loader__", "__spec__", "__traceback__", "__import__",
    "__setattr__", "__delattr__", "__init_subclass__", "__objclass__",
    # frames, code and generators (as RestrictedPython's INSPECT_ATTRIBUTES)
    "tb_frame", "tb_next", "f_back", "f_builtins", "f_code", "f_generator", "f_globals",
    "f_locals", "f_trace", "co_code", "gi_frame", "gi_code", "gi_yieldfrom", "cr_await",
    "cr_frame", "cr_code", "cr_origin", "ag_await", "ag_frame", "ag_code",
})

DEFAULT_IMPORTS = frozenset({
    "__future__", "abc", "array", "base64", "binascii", "bisect", "calendar", "cmath",
    "collections", "collections.abc", "contextlib", "copy", "dataclasses", "datetime",
    "decimal", "difflib", "enum", "fractions", "functools", "graphlib", "hashlib", "heapq",
    "io", "itertools", "json", "keyword", "math", "numbers", "operator", "pprint", "queue",
    "random", "re", "statistics", "string", "struct", "sys", "textwrap", "time", "typing",
    "unicodedata", "zlib",
})
"""Modules a restricted program may import unless its suite allows more."""

NEVER_IMPORT = frozenset({
    "os", "subprocess", "socket", "ctypes", "importlib", "gc", "inspect", "signal",
    "multiprocessing", "builtins", "types", "pickle", "marshal", "code", "codeop",
    "traceback", "shutil", "pathlib", "tempfile", "sysconfig", "site", "posix", "pty",
    "runpy", "_thread", "threading", "faulthandler", "resource",
})
"""Modules no restricted program may import unless its suite names them explicitly."""
