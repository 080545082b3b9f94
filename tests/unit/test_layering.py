"""The layer rules of DESIGN.md, checked on the import statements themselves."""

import ast
import sys
from pathlib import Path

import pytest

import verifier

PACKAGE = Path(verifier.__file__).parent
PURE = ["contract", "extract", "compare", "reward", "suites", "judge", "summary", "settings",
        "errors", "subsample", "batch_stats", "isolation",
        *sorted(f"importers/{p.stem}" for p in (PACKAGE / "importers").glob("*.py"))]


def imports_of(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            prefix = "." * node.level
            names.add(prefix + (node.module or ""))
    return names


@pytest.mark.parametrize("path", sorted((PACKAGE / "sandbox" / "runner").glob("*.py")),
                         ids=lambda p: p.name)
def test_runner_imports_only_the_standard_library_and_siblings(path):
    for name in imports_of(path):
        if name.startswith("."):
            assert name.count(".") == 1 or name == ".", f"{path.name} reaches outside: {name}"
            continue
        top = name.split(".")[0]
        assert top in sys.stdlib_module_names or top == "__future__", f"{path.name}: {name}"


@pytest.mark.parametrize("module", PURE)
def test_pure_modules_never_import_process_code(module):
    for name in imports_of(PACKAGE / f"{module}.py"):
        assert "process" not in name and "service" not in name and "subprocess" not in name
        assert name not in {"os", "threading", "concurrent.futures"}, f"{module} imports {name}"


def test_nothing_imports_the_edges():
    for path in PACKAGE.rglob("*.py"):
        if path.stem in {"cli", "handler", "__main__"} or path.parent.name == "integrations":
            continue
        for name in imports_of(path):
            assert not name.endswith(("cli", "handler", "client")), f"{path.name} imports {name}"
            assert "integrations" not in name, f"{path.name} imports {name}"


@pytest.mark.parametrize("module", ["suites", "suite_sources", "aws", "__init__"])
def test_boto3_is_imported_only_when_an_aws_call_is_made(module):
    """`verifier score` must work without the aws extra: no module-level boto3 import."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [alias.name for alias in node.names] + [getattr(node, "module", "") or ""]
            assert not any(n.startswith(("boto3", "botocore")) for n in names), module


def test_powertools_is_imported_only_by_the_lambda_path():
    for path in PACKAGE.rglob("*.py"):
        if any(name.startswith("aws_lambda_powertools") for name in imports_of(path)):
            assert path.stem == "observability", path.name


def test_public_api_is_complete():
    exported = set(verifier.__all__)
    public = {name for name in vars(verifier) if not name.startswith("_")}
    modules = {name for name, value in vars(verifier).items() if type(value).__name__ == "module"}
    assert exported == public - modules
    for name in exported:
        assert getattr(verifier, name) is not None
