"""Test suites: the stored tests of each task, validated on load.

One JSON document per task; see `docs/suites.md` for the format. A suite is
indexed by its `task_id`, never by its file name. Three kinds of test:

    {"args": [1, 2], "kwargs": {}, "expect": 3}      call the entry point
    {"stdin": "1 2\\n", "stdout": "3\\n"}             run the whole program
    {"assert": "assert add(2, 2) == 4"}              run a snippet beside the program

Values use the typed encoding of `verifier.sandbox.runner.codec` (tuples,
sets, big ints, inf/nan). An assert snippet made only of assert statements is
split into one test per assertion, so each counts once in the pass ratio.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .compare import CompareSpec
from .errors import InvalidRequest, SuiteError
from .sandbox.runner import codec
from .settings import Limits
from .subsample import parse_max_tests, parse_seed, selection_for

__all__ = [
    "AssertTest",
    "CallTest",
    "StdioTest",
    "SuiteIndex",
    "Test",
    "TestSuite",
    "load_suite",
    "load_suite_file",
    "load_suites",
]

LANGUAGES = ("python", "cpp", "javascript")
NATIVE = frozenset({"cpp", "javascript"})
"""Whole programs run from their source: stdin/stdout tests only, no Python hooks."""
RUNTIMES = ("python", "restricted")
_SUITE_KEYS = frozenset({
    "task_id", "language", "entry_point", "tests", "limits", "compare", "reward", "runtime",
    "setup", "reference_solution", "description", "prompt", "source", "license", "metadata",
    "allow_imports", "max_tests", "test_seed",
})


@dataclass(frozen=True, slots=True)
class CallTest:
    """Call the entry point with `args` (encoded JSON list) and compare to `expect`."""

    id: str
    args: list[Any]
    kwargs: dict[str, Any]
    expect: Any


@dataclass(frozen=True, slots=True)
class StdioTest:
    """Run the whole program on `stdin` and compare its output to `stdout`."""

    id: str
    stdin: str
    stdout: str


@dataclass(frozen=True, slots=True)
class AssertTest:
    """Run `snippet` in the program's namespace; it passes if it raises nothing."""

    id: str
    snippet: str


Test = CallTest | StdioTest | AssertTest


@dataclass(frozen=True, slots=True, kw_only=True)
class TestSuite:
    """One task's tests and how to run and judge them.

    >>> suite = load_suite({"task_id": "t/add", "entry_point": "add",
    ...                     "tests": [{"args": [1, 2], "expect": 3}]})
    >>> suite.task_id, len(suite.tests)
    ('t/add', 1)
    """

    __test__ = False  # not a pytest test class

    task_id: str
    tests: tuple[Test, ...]
    entry_point: str | None = None
    language: str = "python"
    runtime: str | None = None
    limits: Mapping[str, Any] = field(default_factory=dict)
    compare: CompareSpec = field(default_factory=CompareSpec)
    reward: Mapping[str, Any] | None = None
    setup: str | None = None
    reference_solution: str | None = None
    allow_imports: tuple[str, ...] = ()
    """Modules a restricted program may import beyond the default allowlist."""
    source: str = "<inline>"
    fingerprint: str = ""
    max_tests: int | None = None
    """Run at most this many tests per sample (see verifier.subsample)."""
    test_seed: str = ""

    def subset(self, positions: tuple[int, ...]) -> TestSuite:
        """This suite with only the tests at `positions`; its own fingerprint."""
        if positions == tuple(range(len(self.tests))):
            return self
        # A new fingerprint: anything keyed on it (a result cache) must not
        # mistake a subset for the whole suite.
        tag = f"{self.fingerprint}:{','.join(map(str, positions))}"
        return dataclasses.replace(self, tests=tuple(self.tests[n] for n in positions),
                                   fingerprint=hashlib.sha256(tag.encode()).hexdigest())

    def for_sample(self, sample_id: Any, reference: Mapping[str, Any]
                   ) -> tuple[TestSuite, dict[str, float]]:
        """The tests one sample runs (see verifier.subsample) and the metrics echoing them."""
        picked = selection_for([test.id for test in self.tests], task_id=self.task_id,
                               sample_id=sample_id, suite_max=self.max_tests,
                               suite_seed=self.test_seed, reference=reference)
        if picked is None:
            return self, {}
        return self.subset(picked.positions), picked.metrics()

    def resolve_limits(self, base: Limits, cap: Limits) -> Limits:
        """This suite's limits over `base`, none above `cap`."""
        return Limits.from_mapping(dict(self.limits), base=base, where=f"{self.source}: limits"
                                   ).capped(cap)


def _need(condition: bool, field_name: str, reason: str, source: str) -> None:
    if not condition:
        raise SuiteError(field_name, reason, source=source)


def _string(data: Mapping[str, Any], key: str, where: str, source: str, *,
            required: bool = False) -> str | None:
    value = data.get(key)
    if value is None:
        _need(not required, f"{where}{key}", "is required", source)
        return None
    _need(isinstance(value, str), f"{where}{key}", f"must be a string, not {type(value).__name__}",
          source)
    return str(value)


def _decodes(value: Any, field_name: str, source: str) -> Any:
    try:
        return codec.decode(value)
    except (codec.CodecError, TypeError, ValueError) as exc:
        raise SuiteError(field_name, f"cannot decode value: {exc}", source=source) from None


def _split_asserts(snippet: str) -> list[str]:
    """One snippet per assertion when the snippet is nothing but assert statements."""
    try:
        tree = ast.parse(snippet)
    except SyntaxError:
        return [snippet]
    body = tree.body
    if len(body) < 2 or not all(isinstance(node, ast.Assert) for node in body):
        return [snippet]
    return [ast.get_source_segment(snippet, node) or ast.unparse(node) for node in body]


def _parse_test(raw: Any, position: int, source: str) -> list[Test]:
    where = f"tests[{position}]"
    _need(isinstance(raw, dict), where, "must be an object", source)
    kinds = [key for key in ("expect", "stdout", "assert") if key in raw]
    _need(len(kinds) == 1, where, "needs exactly one of expect (call), stdout (stdin/stdout) "
          "or assert", source)
    test_id = raw.get("id", str(position))
    _need(isinstance(test_id, str | int) and not isinstance(test_id, bool), f"{where}.id",
          "must be a string or an integer", source)
    test_id = str(test_id)
    kind = kinds[0]
    allowed = {"id", kind} | ({"args", "kwargs"} if kind == "expect" else set()) | (
        {"stdin"} if kind == "stdout" else set())
    unknown = sorted(set(raw) - allowed)
    _need(not unknown, where, f"unknown key(s) {unknown} for a {kind} test", source)
    if kind == "expect":
        args = raw.get("args", [])
        kwargs = raw.get("kwargs", {})
        _need(isinstance(args, list), f"{where}.args", "must be a list", source)
        _need(isinstance(kwargs, dict) and all(isinstance(k, str) for k in kwargs),
              f"{where}.kwargs", "must be an object", source)
        _decodes(args, f"{where}.args", source)
        _decodes(kwargs, f"{where}.kwargs", source)
        expect = _decodes(raw["expect"], f"{where}.expect", source)
        return [CallTest(test_id, args, kwargs, expect)]
    if kind == "stdout":
        stdin = _string(raw, "stdin", f"{where}.", source) or ""
        stdout = _string(raw, "stdout", f"{where}.", source, required=True) or ""
        return [StdioTest(test_id, stdin, stdout)]
    snippet = _string(raw, "assert", f"{where}.", source, required=True) or ""
    parts = _split_asserts(snippet)
    if len(parts) == 1:
        return [AssertTest(test_id, snippet)]
    return [AssertTest(f"{test_id}.{n}", part) for n, part in enumerate(parts)]


def _fingerprint(data: Mapping[str, Any]) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def load_suite(data: Any, *, source: str = "<inline>", default_task_id: str | None = None
               ) -> TestSuite:
    """Validate one suite document (already parsed from JSON) and build it."""
    _need(isinstance(data, dict), "(document)", "must be a JSON object", source)
    unknown = sorted(set(data) - _SUITE_KEYS)
    _need(not unknown, "(document)", f"unknown key(s) {unknown}", source)
    task_id = data.get("task_id", default_task_id)
    _need(isinstance(task_id, str) and bool(task_id), "task_id", "must be a non-empty string",
          source)
    language = data.get("language", "python")
    _need(language in LANGUAGES, "language", f"must be one of {list(LANGUAGES)}", source)
    runtime = data.get("runtime")
    _need(runtime is None or runtime in RUNTIMES, "runtime", f"must be one of {list(RUNTIMES)}",
          source)
    entry_point = _string(data, "entry_point", "", source)
    _need(entry_point is None or entry_point.isidentifier(), "entry_point",
          "must be a Python identifier", source)
    raw_tests = data.get("tests")
    _need(isinstance(raw_tests, list) and len(raw_tests) > 0, "tests", "must be a non-empty list",
          source)
    tests = tuple(test for n, raw in enumerate(raw_tests) for test in _parse_test(raw, n, source))
    ids = [test.id for test in tests]
    _need(len(set(ids)) == len(ids), "tests", "test ids must be unique", source)
    if any(isinstance(test, CallTest) for test in tests):
        _need(entry_point is not None, "entry_point", "is required by call tests", source)
    if language in NATIVE:
        _need(all(isinstance(test, StdioTest) for test in tests), "tests",
              f"a {language} suite has stdin/stdout tests only", source)
        for key in ("setup", "runtime", "allow_imports"):
            _need(key not in data, key, f"is for Python suites, not {language}", source)
    limits = data.get("limits") or {}
    try:
        Limits.from_mapping(limits, where="limits")
        compare = CompareSpec.from_mapping(data.get("compare"))
    except SuiteError:
        raise
    except InvalidRequest as exc:
        raise SuiteError("limits/compare", str(exc), source=source) from None
    try:
        max_tests = parse_max_tests(data.get("max_tests"))
        test_seed = parse_seed(data.get("test_seed"))
    except InvalidRequest as exc:
        raise SuiteError("max_tests/test_seed", str(exc), source=source) from None
    allow = data.get("allow_imports", [])
    _need(isinstance(allow, list) and all(isinstance(m, str) and m for m in allow),
          "allow_imports", "must be a list of module names", source)
    reward = data.get("reward")
    _need(reward is None or isinstance(reward, dict | str), "reward",
          "must be a shape name or an object", source)
    return TestSuite(
        task_id=str(task_id),
        tests=tests,
        entry_point=entry_point,
        language=str(language),
        runtime=runtime,
        limits=dict(limits),
        compare=compare,
        reward={"shape": reward} if isinstance(reward, str) else reward,
        setup=_string(data, "setup", "", source),
        reference_solution=_string(data, "reference_solution", "", source),
        allow_imports=tuple(allow),
        source=source,
        fingerprint=_fingerprint(data),
        max_tests=max_tests,
        test_seed=test_seed,
    )


def load_suite_file(path: Path) -> TestSuite:
    """Read and validate one suite file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SuiteError("(file)", f"cannot read: {exc}", source=str(path)) from None
    except json.JSONDecodeError as exc:
        raise SuiteError("(document)", f"not valid JSON: {exc}", source=str(path)) from None
    return load_suite(data, source=str(path))


class SuiteIndex(Mapping[str, TestSuite]):
    """Suites by task_id; two suites with one task_id are an error.

    >>> index = SuiteIndex([load_suite({"task_id": "a", "tests": [{"assert": "pass"}]})])
    >>> list(index)
    ['a']
    """

    def __init__(self, suites: Iterable[TestSuite] = ()) -> None:
        self._by_id: dict[str, TestSuite] = {}
        for suite in suites:
            self.add(suite)

    def add(self, suite: TestSuite) -> None:
        other = self._by_id.get(suite.task_id)
        if other is not None:
            raise SuiteError("task_id", f"{suite.task_id!r} is also defined in {other.source}",
                             source=suite.source)
        self._by_id[suite.task_id] = suite

    def __getitem__(self, task_id: str) -> TestSuite:
        return self._by_id[task_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)


def load_suites(paths: Iterable[str | Path]) -> SuiteIndex:
    """Load every `*.json` file under each folder (or each file) given."""
    index = SuiteIndex()
    for raw in paths:
        path = Path(raw)
        if path.is_file():
            files = [path]
        elif path.is_dir():
            files = sorted(p for p in path.rglob("*.json") if p.is_file())
        else:
            raise InvalidRequest(f"no suite folder or file at {path}")
        for file in files:
            index.add(load_suite_file(file))
    return index
