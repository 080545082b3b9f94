"""The issue's bar: import small HumanEval, MBPP and APPS files with the CLI, validate
the suites, then score reference solutions (1.0) and broken ones (less) for real."""

import gzip
import json

import pytest

from tests import dataset_rows as rows
from tests.functional.test_cli import run
from tests.helpers import sample
from verifier.service import Scorer
from verifier.settings import Limits, Settings
from verifier.suites import load_suites


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """The three datasets written as their own file formats, imported by the CLI."""
    root = tmp_path_factory.mktemp("import")
    files = {
        "humaneval": root / "HumanEval.jsonl.gz",
        "mbpp": root / "mbpp.jsonl",
        "apps": root / "apps.json",
    }
    files["humaneval"].write_bytes(gzip.compress(rows.jsonl(rows.HUMANEVAL).encode()))
    files["mbpp"].write_text(rows.jsonl(rows.MBPP))
    files["apps"].write_text(json.dumps(rows.APPS))
    outputs = {}
    for fmt, path in files.items():
        out = root / "suites" / fmt
        done = run("import", fmt, str(path), "-o", str(out), "--report", str(root / f"{fmt}.json"))
        assert done.returncode == 0, done.stdout + done.stderr
        outputs[fmt] = (done.stdout, json.loads((root / f"{fmt}.json").read_text()))
    return root / "suites", outputs


def test_import_reports_tests_of_each_kind(imported):
    _, outputs = imported
    humaneval_text, humaneval = outputs["humaneval"]
    assert humaneval["suites"] == 3
    assert humaneval["tests"] == {"call": 7, "stdio": 0, "assert": 3}
    assert "7 call, 0 stdio, 3 assert" in humaneval_text
    assert outputs["mbpp"][1]["tests"] == {"call": 5, "stdio": 0, "assert": 2}
    assert outputs["apps"][1]["tests"] == {"call": 5, "stdio": 3, "assert": 0}


def test_imported_suites_validate(imported, tmp_path):
    suites_dir, _ = imported
    report_path = tmp_path / "report.json"
    done = run("validate", str(suites_dir), "--runs", "2", "--min-tests", "3",
               "--workers", "2", "--report", str(report_path))
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(report_path.read_text())
    statuses = {s["task_id"]: s["status"] for s in report["suites"]}
    assert statuses.pop("lcb-3003") == "no_reference"  # LiveCodeBench ships none
    assert set(statuses.values()) == {"pass"} and len(statuses) == 7
    mbpp = next(s for s in report["suites"] if s["task_id"] == "12")
    assert mbpp["runs"] == 2 and mbpp["warnings"] == []
    assert "8 suites: 7 pass, 0 fail" in done.stdout


@pytest.fixture(scope="module")
def scorer(imported, sandbox):
    suites_dir, _ = imported
    settings = Settings(limits=Limits(timeout_s=2.0, sample_timeout_s=10.0))
    with Scorer(load_suites([suites_dir]), sandbox=sandbox, settings=settings) as s:
        yield s


def test_reference_solutions_score_one_and_broken_ones_less(scorer):
    broken = {**rows.HUMANEVAL_BROKEN, **rows.MBPP_BROKEN, **rows.APPS_BROKEN}
    references = {task_id: suite.reference_solution or rows.LCB_SOLUTION
                  for task_id, suite in scorer.suites.items()}
    assert set(broken) == set(references)
    batch = [sample(code, task_id, f"good {task_id}") for task_id, code in references.items()]
    batch += [sample(code, task_id, f"bad {task_id}") for task_id, code in broken.items()]
    results = {r.id: r for r in scorer.evaluate(batch)}
    for task_id in references:
        good, bad = results[f"good {task_id}"], results[f"bad {task_id}"]
        assert good.reward == 1.0, (task_id, good.detail())
        assert bad.status == "scored" and bad.reward < 1.0, (task_id, bad.detail())


def test_an_answer_may_leave_out_the_helpers_the_prompt_gave(scorer):
    (result,) = scorer.evaluate([sample(rows.HUMANEVAL_WITHOUT_HELPER, "Demo/2")])
    assert result.reward == 1.0, result.detail()
