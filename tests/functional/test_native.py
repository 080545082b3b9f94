"""C++ and JavaScript programs on the process backend: real g++, real Node.js, real sandbox."""

import pytest

from tests.helpers import sample, stdio_job
from verifier.sandbox.base import Job, TestInput
from verifier.sandbox.resume import run_resuming
from verifier.service import Scorer
from verifier.settings import Limits, Settings

CPP_SUM = "#include <iostream>\nint main() { long long a, b; std::cin >> a >> b; " \
          "std::cout << a + b << '\\n'; }\n"
JS_SUM = "const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/)" \
         ".map(BigInt);\nconsole.log(String(a + b));\n"
LANGUAGES = [("cpp", "cpp", CPP_SUM), ("javascript", "js", JS_SUM)]


def native_job(language, code, *inputs, **limits):
    job = stdio_job(code, *inputs, **limits)
    return Job(code=job.code, tests=job.tests, limits=job.limits, language=language)


def metrics(entry):
    return {m["name"]: m["value"] for m in entry["metrics_list"]}


def score_one(scorer, code, task_id, label):
    (result,) = scorer.evaluate([sample(code, task_id, "n", label=label)])
    return result, metrics(result.to_response(scorer.settings))


def test_the_host_has_both_tools(sandbox):
    assert {"python", "cpp", "javascript"} <= sandbox.languages


@pytest.mark.parametrize(("language", "suite", "code"), LANGUAGES)
def test_a_correct_program_scores_one(scorer, language, suite, code):
    result, got = score_one(scorer, code, f"{suite}/sum_two", language)
    assert result.reward == 1.0, result.detail()
    assert got["compiled"] == 1.0 and got["tests_passed"] == got["tests_total"] == 6.0


@pytest.mark.parametrize(("language", "suite", "wrong"), [
    ("cpp", "cpp", "#include <cstdio>\nint main() { long long a, b; scanf(\"%lld %lld\", &a, &b);"
                   " printf(\"%lld\\n\", a - b); }\n"),
    ("javascript", "js", "const [a, b] = require('fs').readFileSync(0, 'utf8').split(' ')"
                         ".map(Number);\nconsole.log(a - b);\n"),
])
def test_a_wrong_program_fails_its_tests(scorer, language, suite, wrong):
    result, got = score_one(scorer, wrong, f"{suite}/sum_two", language)
    assert got["compiled"] == 1.0
    assert 0 < got["tests_passed"] < got["tests_total"]  # a - b is right only where b is 0
    assert -0.5 < result.reward < 1.0


def test_a_compile_error_is_a_verdict_does_not_load(scorer):
    result, got = score_one(scorer, "int main() { return undefined_name; }\n", "cpp/sum_two",
                            "cpp")
    assert result.status == "scored" and result.reward == -0.75
    assert got["compiled"] == 0.0
    assert "compilation failed" in result.error and "undefined_name" in result.error


def test_a_javascript_syntax_error_fails_every_test(scorer):
    result, _ = score_one(scorer, "console.log(;\n", "js/sum_two", "javascript")
    assert result.reward == -0.5
    assert {v.verdict.value for v in result.verdicts} == {"error"}


def test_a_python_fence_is_not_a_cpp_program(scorer):
    result, got = score_one(scorer, CPP_SUM, "cpp/sum_two", "python")
    assert result.reward == -1.0 and got["format"] == 0.0


def test_each_test_is_a_fresh_process_and_one_compile_serves_them_all(sandbox):
    # A static counter survives between tests only if they share a process.
    code = "#include <cstdio>\nstatic int runs;\nint main() { printf(\"%d\\n\", ++runs); }\n"
    report = run_resuming(sandbox, native_job("cpp", code, "", "", ""), budget_s=30)
    assert [r.stdout for r in report.records.values()] == ["1\n"] * 3
    assert report.restarts == 0


def test_a_test_that_times_out_does_not_cost_a_recompile(sandbox):
    code = ("#include <iostream>\nint main() { int n; std::cin >> n; "
            "if (n == 1) for (volatile long i = 0;; i++); std::cout << n << '\\n'; }\n")
    report = run_resuming(sandbox, native_job("cpp", code, "0\n", "1\n", "2\n", timeout_s=0.5),
                          budget_s=30)
    assert [r.status for r in report.records.values()] == ["ok", "timeout", "ok"]
    assert report.restarts == 0  # the driver reported the timeout; no new job, no new compile


@pytest.mark.parametrize(("language", "code", "status"), [
    ("cpp", "int main() { return 3; }\n", "exited with status 3"),
    ("cpp", "int main() { volatile int *p = 0; return *p; }\n", "killed by SIGSEGV"),
    ("javascript", "process.exit(4);\n", "exited with status 4"),
    ("javascript", "throw new Error('boom');\n", "exited with status 1"),
])
def test_runtime_failures_are_per_test_errors(sandbox, language, code, status):
    report = run_resuming(sandbox, native_job(language, code, "", ""), budget_s=30)
    assert [(r.status, r.error) for r in report.records.values()] == [("error", status)] * 2


@pytest.mark.parametrize(("language", "code"), [
    ("cpp", "#include <cstdio>\nint main() { for (;;) fputs(\"flood flood\\n\", stdout); }\n"),
    ("javascript", "for (;;) process.stdout.write('flood flood\\n');\n"),
])
def test_output_past_the_cap_is_an_output_limit(sandbox, language, code):
    report = run_resuming(sandbox, native_job(language, code, "", output_bytes=4096), budget_s=30)
    assert report.records[0].status == "output_limit"


def test_every_common_way_to_read_input_in_javascript(sandbox):
    readers = [
        "const t = require('fs').readFileSync(0, 'utf8');",
        "const t = require('fs').readFileSync('/dev/stdin', 'utf8');",
        "let t = ''; process.stdin.on('data', d => t += d); await new Promise(r => "
        "process.stdin.on('end', r));",
    ]
    for reader in readers:
        code = (f"(async () => {{ {reader} "
                "console.log(t.trim().split(' ').reverse().join(' ')); })()")
        report = run_resuming(sandbox, native_job("javascript", code, "a b c\n"), budget_s=30)
        assert report.records[0].stdout == "c b a\n", reader


def test_a_static_array_too_big_for_the_memory_limit_fails_its_tests(sandbox):
    # The kernel cannot map the array past exec's point of no return: SIGSEGV.
    code = ("#include <cstdio>\nchar big[1L << 30];\n"
            "int main() { int i = 7; scanf(\"%d\", &i); big[i] = 1; printf(\"%d\\n\", big[i]); }\n")
    small = run_resuming(sandbox, native_job("cpp", code, "3\n", memory_mb=2048), budget_s=30)
    assert small.records[0].stdout == "1\n"
    report = run_resuming(sandbox, native_job("cpp", code, "3\n", "4\n", memory_mb=256),
                          budget_s=30)
    assert [r.status for r in report.records.values()] == ["error", "error"]
    assert "SIGSEGV" in report.records[0].error


def test_a_sandbox_without_the_language_leaves_the_sample_unscored(suites, sandbox):
    class PythonOnly:
        workers = 1
        languages = frozenset({"python"})

        def run(self, job, *, budget_s, on_record=None):
            raise AssertionError("a job reached a sandbox that cannot run it")

        def sweep(self):
            return 0

        def close(self):
            pass

    settings = Settings(limits=Limits(timeout_s=1.0))
    with Scorer(suites, sandbox=PythonOnly(), settings=settings) as scorer:
        (result,) = scorer.evaluate([sample(CPP_SUM, "cpp/sum_two", label="cpp")])
    assert result.status == "unscored" and result.reward is None
    assert "cannot run cpp" in result.error


def test_the_restricted_runtime_does_not_apply_to_native_programs(suites, sandbox):
    settings = Settings(limits=Limits(timeout_s=1.0), runtime="restricted")
    with Scorer(suites, sandbox=sandbox, settings=settings) as scorer:
        (result,) = scorer.evaluate([sample(JS_SUM, "js/sum_two", label="javascript")])
    assert result.reward == 1.0, result.detail()


def test_a_suite_with_a_bad_input_test_id_still_maps_results(sandbox):
    job = Job(code=CPP_SUM, language="cpp", limits=Limits(),
              tests=(TestInput(index=3, kind="stdio", stdin="1 1\n"),
                     TestInput(index=5, kind="stdio", stdin="2 2\n")))
    report = run_resuming(sandbox, job, budget_s=30)
    assert {i: r.stdout for i, r in report.records.items()} == {3: "2\n", 5: "4\n"}


def test_a_program_that_keeps_timing_out_is_given_up_after_two(sandbox):
    code = "int main() { for (volatile long i = 0;; i++); }\n"
    report = sandbox.run(native_job("cpp", code, "", "", "", "", timeout_s=0.3), budget_s=30)
    assert [r.status for r in report.records.values()] == ["timeout", "timeout"]
    assert report.ended  # tests 2 and 3 are judged not run; nothing restarts the job


def test_python_and_native_jobs_in_turn_leave_nothing_behind(sandbox):
    # A Python job runs in the spare child forked ahead; a native one retires it
    # (as root the two would share a cgroup) and the next spare is forked after.
    python = stdio_job("print(int(input()) + 1)", "41\n")
    cpp = native_job("cpp", CPP_SUM, "1 2\n")
    js = native_job("javascript", JS_SUM, "1 2\n")
    outputs = [run_resuming(sandbox, job, budget_s=30).records[0].stdout
               for job in (python, cpp, python, js, python)]
    assert outputs == ["42\n", "3\n", "42\n", "3\n", "42\n"]
    assert sandbox.sweep() == 0
