"""`verifier validate` through the real sandbox: timing, warnings, the JSON report."""

import json

from tests.functional.test_cli import run

SLOW = {"task_id": "slow/one", "entry_point": "f", "limits": {"timeout_s": 1},
        "tests": [{"args": [n], "expect": n} for n in range(5)],
        "reference_solution": "import time\ndef f(x):\n    if x == 3:\n        time.sleep(0.3)\n"
                              "    return x\n"}


def test_a_test_close_to_its_limit_warns_with_a_calibrated_limit(tmp_path):
    suites = tmp_path / "suites"
    suites.mkdir()
    (suites / "slow.json").write_text(json.dumps(SLOW))
    report_path = tmp_path / "report.json"
    done = run("validate", str(suites), "--runs", "1", "--report", str(report_path))
    assert done.returncode == 0, done.stdout + done.stderr  # a warning, not a failure
    (suite,) = json.loads(report_path.read_text())["suites"]
    assert suite["status"] == "pass"
    assert [t["test_id"] for t in suite["slow"]] == ["3"]
    assert suite["slow"][0]["max_ms"] >= 300
    # EvalPlus: 4 x the reference's 0.3 s, rounded up to a tenth.
    assert 1.2 <= suite["suggested_timeout_s"] <= 2.0
    assert "warn  slow/one" in done.stdout and "(suggest" in done.stdout
    strict = run("validate", str(suites), "--runs", "1", "--strict")
    assert strict.returncode == 1


def test_a_suite_without_a_reference_is_listed_not_failed(tmp_path):
    bare = {key: value for key, value in SLOW.items() if key != "reference_solution"}
    (tmp_path / "bare.json").write_text(json.dumps(bare))
    done = run("validate", str(tmp_path))
    assert done.returncode == 0
    assert "skip  slow/one" in done.stdout and "1 without a reference solution" in done.stdout
