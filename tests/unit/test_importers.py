"""Each format's rows -> suite documents, and the import report (no code is run)."""

import copy
import gzip
import json

import pytest

from tests.dataset_rows import APPS, HUMANEVAL, MBPP, jsonl
from verifier.errors import InvalidRequest
from verifier.importers import convert_rows, import_file
from verifier.importers.common import file_name
from verifier.importers.files import read_rows
from verifier.suites import load_suite_file


def convert(fmt, rows, **options):
    docs, report = convert_rows(fmt, [(f"line {n + 1}", r) for n, r in enumerate(rows)],
                                **options)
    return {d["task_id"]: d for d in docs}, report


def kinds(doc):
    return ["call" if "expect" in t else "stdio" if "stdout" in t else "assert"
            for t in doc["tests"]]


def test_humaneval_rows():
    docs, report = convert("humaneval", HUMANEVAL)
    assert list(docs) == ["Demo/0", "Demo/1", "Demo/2"]
    factorize = docs["Demo/0"]
    assert kinds(factorize) == ["call"] * 4
    assert factorize["tests"][1] == {"id": "1", "args": [57], "expect": [3, 19]}
    assert factorize["reference_solution"].startswith(HUMANEVAL[0]["prompt"])
    assert "METADATA" not in factorize.get("setup", "")
    assert kinds(docs["Demo/1"]) == ["call", "call", "assert", "assert"]
    # The prompt's helper is set up for the answer and for the assert test using it.
    assert "def encode_shift" in docs["Demo/2"]["setup"]
    assert kinds(docs["Demo/2"]) == ["call", "assert"]
    assert (report.suites, report.dropped) == (3, 1)
    assert dict(report.tests) == {"call": 7, "assert": 3}


def test_mbpp_rows():
    docs, report = convert("mbpp", MBPP)
    remove = docs["11"]  # the integer id, as text
    assert remove["entry_point"] == "remove_Occ"
    assert [t["id"] for t in remove["tests"]] == ["0", "1", "2", "challenge.0"]
    assert "\r" not in remove["reference_solution"]
    area = docs["12"]
    assert area["setup"] == "import math"
    assert kinds(area) == ["assert", "call", "assert"]
    assert dict(report.tests) == {"call": 5, "assert": 2}


def test_apps_taco_and_livecodebench_rows():
    docs, report = convert("apps", APPS)
    stdin = docs["4001"]
    assert kinds(stdin) == ["stdio"] * 3 and "entry_point" not in stdin
    assert stdin["reference_solution"].startswith("a, b = map(int")
    call = docs["4002"]
    assert call["tests"][0] == {"id": "0", "args": [[1, 2], [3, 4]], "expect": [4, 6]}
    assert call["source"] == "codewars" and call["license"] == "CC BY 4.0"
    lcb = docs["lcb-3003"]
    assert lcb["tests"][0] == {"id": "public.0", "args": [[1, 2, 3], 1], "expect": 5}
    assert "Solution().sumAbove" in lcb["setup"] and lcb["source"] == "leetcode"
    assert "reference_solution" not in lcb
    assert any("never unpickled" in note for note in report.notes)


def test_apps_lines_and_top_level_inputs():
    row = {"id": "x", "inputs": [["1", "2"]], "outputs": [["3", "4"]]}
    docs, _ = convert("apps", [row])
    assert docs["x"]["tests"] == [{"id": "0", "stdin": "1\n2\n", "stdout": "3\n4\n"}]
    no_id = {"input_output": {"inputs": ["1\n"], "outputs": ["1\n"]}}
    docs, report = convert("apps", [no_id])
    assert list(docs) == ["0"] and report.notes


def test_provenance_prefix_and_limit():
    docs, report = convert("humaneval", HUMANEVAL, task_prefix="he/", source="openai",
                           license="MIT", limit=2)
    assert list(docs) == ["he/Demo/0", "he/Demo/1"] and report.rows == 2
    assert docs["he/Demo/0"]["source"] == "openai" and docs["he/Demo/0"]["license"] == "MIT"
    # A row's own license wins over the default.
    apps_docs, _ = convert("apps", APPS[1:2], license="other")
    assert apps_docs["4002"]["license"] == "CC BY 4.0"


def test_unusable_rows_are_skipped_with_reasons():
    broken = copy.deepcopy(HUMANEVAL[0])
    broken["test"] = "def check(candidate):\n    pass\n"
    no_check = dict(HUMANEVAL[1], test="assert True")
    rows = [broken, no_check, "text", HUMANEVAL[2], dict(HUMANEVAL[2]),
            dict(HUMANEVAL[0], entry_point="not valid")]
    docs, report = convert("humaneval", rows)
    assert list(docs) == ["Demo/2"]
    reasons = [why for _, why in report.skipped]
    assert len(reasons) == 5
    assert any("check(candidate)" in r for r in reasons)
    assert any("not a JSON object" in r for r in reasons)
    assert any("repeats" in r for r in reasons)
    assert "skipped line 1" in report.summary()


def test_unknown_format():
    with pytest.raises(InvalidRequest):
        convert_rows("nope", [])


def test_file_names_are_safe_and_distinct():
    taken: set[str] = set()
    names = [file_name(t, taken) for t in ("HumanEval/0", "HumanEval_0", "../x", "a" * 300)]
    assert names[0] == "HumanEval_0.json"
    assert len(set(names)) == 4
    assert all("/" not in n and not n.startswith(".") and len(n) < 100 for n in names)


def test_gzip_jsonl_and_json_list_are_read(tmp_path):
    gz = tmp_path / "he.jsonl.gz"
    gz.write_bytes(gzip.compress((jsonl(HUMANEVAL) + "\n{oops\n").encode()))
    rows = list(read_rows(gz))
    assert [where for where, _ in rows] == ["line 1", "line 2", "line 3", "line 5"]
    assert rows[-1][1] == "<not JSON>"
    listed = tmp_path / "mbpp.json"
    listed.write_text(json.dumps(MBPP))
    assert [row["task_id"] for _, row in read_rows(listed)] == [11, 12]


def test_written_files_load_and_are_not_overwritten_by_accident(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(jsonl(MBPP))
    out = tmp_path / "suites"
    report = import_file("mbpp", source, out)
    assert sorted(p.name for p in out.iterdir()) == ["11.json", "12.json"]
    suite = load_suite_file(out / "11.json")
    assert suite.task_id == "11" and len(suite.tests) == 4
    assert report.files and report.to_json()["tests"] == {"call": 5, "stdio": 0, "assert": 2}
    with pytest.raises(InvalidRequest, match="overwrite"):
        import_file("mbpp", source, out)
    import_file("mbpp", source, out, overwrite=True)
