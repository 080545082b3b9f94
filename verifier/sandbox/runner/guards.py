"""The restricted runtime inside the sandbox: guarded builtins, imports and modules.

The program arrives already transformed by the trusted policy
(`sandbox/policy.py`): every attribute read calls `_getattr_`. This module
provides that guard and the namespace the program runs in:

* builtins without open, eval, exec, compile, globals, locals, vars, input's
  friends that reach the interpreter (`breakpoint`, `help`), and with
  getattr / setattr / delattr checking names as the policy does;
* `__import__` that allows only the listed modules and returns proxies;
* module proxies that expose only public names, give other allowed modules
  as proxies, and replace the few functions that walk attributes or
  evaluate strings (operator.attrgetter, string.Formatter,
  typing.get_type_hints);
* `sys` as a proxy with what programs need: stdin/stdout/stderr,
  recursion limit, maxsize, int digit limits, exit.

Every refusal is counted; the runner reports the count, and the trusted
side turns it into the `safety` metric.
"""

from __future__ import annotations

import _string  # type: ignore[import-not-found]  # what string.Formatter itself uses
import builtins
import operator
import string
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

from .restricted import DENIED_ATTRIBUTES

__all__ = ["RestrictedError", "namespace", "violations"]


class RestrictedError(PermissionError):
    """The restricted runtime refused an operation."""


_state = {"violations": 0}


def violations() -> int:
    """Refusals so far in this process."""
    return _state["violations"]


def _refuse(message: str) -> RestrictedError:
    _state["violations"] += 1
    return RestrictedError(f"restricted runtime: {message}")


def _check_name(name: Any) -> str:
    if not isinstance(name, str):
        raise TypeError("attribute name must be a string")
    if name in DENIED_ATTRIBUTES:
        raise _refuse(f"attribute {name!r} is not allowed")
    return name


_SYS_NAMES = frozenset({
    "stdin", "stdout", "stderr", "setrecursionlimit", "getrecursionlimit", "maxsize",
    "exit", "argv", "version", "version_info", "hexversion", "float_info", "int_info",
    "set_int_max_str_digits", "get_int_max_str_digits", "getsizeof", "byteorder", "maxunicode",
    "float_repr_style", "platform", "implementation",
})
_HIDDEN = {
    "typing": frozenset({"get_type_hints", "ForwardRef"}),
    "string": frozenset({"Formatter"}),
    "io": frozenset({"open", "open_code", "FileIO"}),
}


def _safe_attrgetter(*names: str) -> Callable[[Any], Any]:
    for name in names:
        for part in str(name).split("."):
            _check_name(part)
    return operator.attrgetter(*names)


def _safe_methodcaller(name: str, *args: Any, **kwargs: Any) -> Callable[[Any], Any]:
    return operator.methodcaller(_check_name(name), *args, **kwargs)


_REPLACED = {"operator": {"attrgetter": _safe_attrgetter, "methodcaller": _safe_methodcaller}}


class _ModuleProxy:
    """An allowed module as a program sees it: public names only."""

    __slots__ = ("_allowed", "_module", "_name")

    def __init__(self, module: ModuleType, allowed: frozenset[str]) -> None:
        object.__setattr__(self, "_module", module)
        object.__setattr__(self, "_name", module.__name__)
        object.__setattr__(self, "_allowed", allowed)

    def __getattr__(self, name: str) -> Any:
        module_name = object.__getattribute__(self, "_name")
        if name == "__name__":
            return module_name
        if name == "__all__":
            return [n for n in dir(self) if n != "__all__"]
        if name.startswith("_") or name in _HIDDEN.get(module_name, ()):
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}")
        if module_name == "sys" and name not in _SYS_NAMES:
            raise AttributeError(f"module 'sys' has no attribute {name!r}")
        replaced = _REPLACED.get(module_name, {}).get(name)
        if replaced is not None:
            return replaced
        value = getattr(object.__getattribute__(self, "_module"), name)
        return _shown(value, object.__getattribute__(self, "_allowed"))

    def __setattr__(self, name: str, value: Any) -> None:
        raise _refuse("modules are read-only")

    def __dir__(self) -> list[str]:
        module = object.__getattribute__(self, "_module")
        names = _SYS_NAMES if module.__name__ == "sys" else dir(module)
        return [*sorted(n for n in names if not n.startswith("_")), "__all__"]

    def __repr__(self) -> str:
        return f"<module {object.__getattribute__(self, '_name')!r}>"


_proxies: dict[str, _ModuleProxy] = {}


def _shown(value: Any, allowed: frozenset[str]) -> Any:
    """A value a program may hold: modules only as proxies of allowed ones."""
    if isinstance(value, ModuleType):
        if value.__name__ not in allowed:
            raise _refuse(f"module {value.__name__!r} is not allowed")
        proxy = _proxies.get(value.__name__)
        if proxy is None:
            proxy = _proxies[value.__name__] = _ModuleProxy(value, allowed)
        return proxy
    return value


class _GuardedFormatter(string.Formatter):
    """str.format without attribute walks that bypass _getattr_."""

    def __init__(self, getattr_: Callable[..., Any]) -> None:
        self._getattr = getattr_

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> Any:
        first, rest = _string.formatter_field_name_split(field_name)
        obj = self.get_value(first, args, kwargs)
        for is_attr, key in rest:
            obj = self._getattr(obj, key) if is_attr else obj[key]
        return obj, first


def namespace(*, name: str, allowed: frozenset[str]) -> dict[str, Any]:
    """Globals for a restricted program (fresh per module or per stdin test)."""

    def getattr_(obj: Any, attribute: Any, *default: Any) -> Any:
        attribute = _check_name(attribute)
        if attribute in ("format", "format_map") and (type(obj) is str or obj is str):
            return _format(obj, attribute)
        return _shown(getattr(obj, attribute, *default), allowed)

    formatter = _GuardedFormatter(getattr_)

    def _format(obj: Any, attribute: str) -> Callable[..., str]:
        if obj is str:  # str.format(template, ...) / str.format_map(template, mapping)
            if attribute == "format":
                return lambda template, *a, **k: formatter.vformat(template, a, k)
            return lambda template, mapping: formatter.vformat(template, (), mapping)
        if attribute == "format":
            return lambda *a, **k: formatter.vformat(obj, a, k)
        return lambda mapping: formatter.vformat(obj, (), mapping)

    def setattr_(obj: Any, attribute: Any, value: Any) -> None:
        setattr(obj, _check_name(attribute), value)

    def delattr_(obj: Any, attribute: Any) -> None:
        delattr(obj, _check_name(attribute))

    def import_(module: str, globals: Any = None, locals: Any = None, fromlist: Any = (),
                level: int = 0) -> Any:
        if level != 0 or module not in allowed:
            raise _refuse(f"import of {module!r} is not allowed")
        builtins.__import__(module)
        target = module if fromlist else module.split(".")[0]
        if target not in allowed:
            raise _refuse(f"import of {target!r} is not allowed")
        return _shown(sys.modules[target], allowed)

    def open_(file: Any, *args: Any, **kwargs: Any) -> Any:
        # open(0).read() is how many contest programs read their input.
        if type(file) is int and file in (0, 1):
            return builtins.open(file, *args, **kwargs)
        raise _refuse("open() is allowed only on standard input (0) and output (1)")

    safe = {key: value for key, value in vars(builtins).items()
            if key not in _REMOVED_BUILTINS and not key.startswith("_")}
    safe.update(getattr=getattr_, setattr=setattr_, delattr=delattr_, __import__=import_,
                open=open_, __build_class__=builtins.__build_class__, __name__="builtins")
    return {
        "__name__": name,
        "__builtins__": safe,
        "_getattr_": getattr_,
        "_getiter_": iter,
        "_unpack_sequence_": _unpack_sequence,
        "_iter_unpack_sequence_": _iter_unpack_sequence,
    }


def _unpack_sequence(value: Any, spec: dict[str, Any], getiter: Any) -> list[Any]:
    """RestrictedPython's nested unpacking helper, with nothing to guard."""
    items = list(getiter(value))
    if len(items) >= spec["min_len"]:
        for index, child in spec["childs"]:
            items[index] = _unpack_sequence(items[index], child, getiter)
    return items


def _iter_unpack_sequence(value: Any, spec: dict[str, Any], getiter: Any) -> Any:
    for item in getiter(value):
        yield _unpack_sequence(item, spec, getiter)


_REMOVED_BUILTINS = frozenset({
    "open", "eval", "exec", "compile", "globals", "locals", "vars", "breakpoint", "help",
    "memoryview", "copyright", "credits", "license",
})
