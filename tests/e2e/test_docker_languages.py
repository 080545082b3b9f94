"""Python, C++ and JavaScript programs scored in real containers: correct, wrong, hostile;
the shipped mixed batch through `verifier score --backend docker`; doctor; fallback; bench."""

import json
import os
import subprocess
import sys

import pytest

from tests.helpers import ROOT, TESTCASES, sample
from verifier.benchmark.docker import bench_docker, format_rows

CORRECT = [
    ("python", "stdio/sum_two", "a, b = map(int, input().split())\nprint(a + b)\n"),
    ("cpp", "cpp/sum_two", "#include <iostream>\nint main() { long long a, b; std::cin >> a >> b;"
                           " std::cout << a + b << '\\n'; }\n"),
    ("javascript", "js/sum_two", "const [a, b] = require('fs').readFileSync(0, 'utf8').trim()"
                                 ".split(/\\s+/).map(BigInt);\nconsole.log(String(a + b));\n"),
]
WRONG = [
    ("python", "stdio/sum_two", "a, b = map(int, input().split())\nprint(a * b)\n"),
    ("cpp", "cpp/sum_two", "#include <cstdio>\nint main() { int a, b; scanf(\"%d %d\", &a, &b);"
                           " printf(\"%d\\n\", a + b); }\n"),
    ("javascript", "js/sum_two", "const [a, b] = require('fs').readFileSync(0, 'utf8').trim()"
                                 ".split(/\\s+/).map(Number);\nconsole.log(a + b);\n"),
]
SUITE_FILE = str(TESTCASES / "cpp" / "sum_two.json")
# Each prints what the sandbox made of its attack; the expected output is the refusal.
HOSTILE = [
    ("python", "import socket\ntry:\n    socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
               "    print('ALLOWED')\nexcept OSError as e:\n    print(type(e).__name__)\n",
     "PermissionError"),
    ("python", f"try:\n    open({SUITE_FILE!r})\n    print('ALLOWED')\n"
               "except OSError as e:\n    print(type(e).__name__)\n", "OSError"),
    ("cpp", "#include <unistd.h>\n#include <cstdio>\n#include <cerrno>\n#include <cstring>\n"
            "int main() { char *a[] = {(char *)\"sh\", nullptr}; execv(\"/bin/sh\", a);"
            " puts(strerrorname_np(errno)); }\n", "EPERM"),
    ("cpp", "#include <sys/socket.h>\n#include <cstdio>\n#include <cerrno>\n#include <cstring>\n"
            "int main() { if (socket(AF_INET, SOCK_STREAM, 0) < 0) puts(strerrorname_np(errno));"
            " }\n", "EPERM"),
    ("javascript", "try { require('child_process').execSync('id'); console.log('ALLOWED') }"
                   " catch (e) { console.log(e.code) }", "EPERM"),
    ("javascript", "try { require('fs').writeFileSync('/tmp/x', 'x'); console.log('ALLOWED') }"
                   " catch (e) { console.log(e.code) }", "EPERM"),
    ("javascript", "const s = require('net').connect(53, '1.1.1.1');\n"
                   "s.on('error', e => console.log(e.code));", "EPERM"),
]
LABEL = {"python": "python", "cpp": "cpp", "javascript": "javascript"}


def score(scorer, code, task_id, fence, **reference):
    (result,) = scorer.evaluate([sample(code, task_id, "x", label=LABEL[fence], **reference)])
    return result


@pytest.mark.parametrize(("language", "task_id", "code"), CORRECT)
def test_a_correct_program_scores_one(docker_scorer, language, task_id, code):
    result = score(docker_scorer, code, task_id, language)
    assert result.reward == 1.0, result.detail()


@pytest.mark.parametrize(("language", "task_id", "code"), WRONG)
def test_a_wrong_program_fails_some_tests(docker_scorer, language, task_id, code):
    result = score(docker_scorer, code, task_id, language)
    verdicts = [v.verdict.value for v in result.verdicts]
    assert "fail" in verdicts and result.reward < 1.0, result.detail()


@pytest.mark.parametrize(("language", "code", "expect"), HOSTILE)
def test_a_hostile_program_is_refused(docker_scorer, language, code, expect):
    result = score(docker_scorer, code, "probe/docker", language, language=language,
                   limits={"timeout_s": 10}, tests=[{"stdin": "", "stdout": expect + "\n"}])
    assert result.reward == 1.0, result.detail()


def test_a_cpp_compile_error_is_a_verdict(docker_scorer):
    result = score(docker_scorer, "int main() { return x; }\n", "cpp/sum_two", "cpp")
    assert result.reward == -0.75 and "compilation failed" in result.error


def cli(*args, env=None):
    base = {k: v for k, v in os.environ.items() if not k.startswith("VERIFIER_")}
    return subprocess.run([sys.executable, "-m", "verifier", *args], capture_output=True,
                          text=True, cwd=ROOT, env={**base, **(env or {})}, timeout=600)


EXPECTED = {
    "py-correct-sum": 1.0, "py-wrong-add": -0.5 + 1.5 / 7, "cpp-correct-sum": 1.0,
    "cpp-correct-primes": 1.0, "cpp-wrong-int-overflow": -0.5 + 1.5 * 5 / 6,
    "cpp-compile-error": -0.75, "cpp-hostile-shell": -0.5, "cpp-hostile-include-suite": -0.75,
    "js-correct-sum": 1.0, "js-correct-reverse": 1.0, "js-wrong-number-precision": 0.5,
    "js-hostile-spawn": -0.5, "js-infinite-loop": -0.5,
}


def rewards(path):
    return {row["id"]: row["aggregate_reward_score"]
            for row in map(json.loads, path.read_text().splitlines())}


def test_the_mixed_batch_scores_the_same_in_containers_and_processes(sandbox_images, tmp_path):
    docker_out, process_out = tmp_path / "docker.jsonl", tmp_path / "process.jsonl"
    done = cli("score", "examples/mixed_batch.jsonl", "--backend", "docker", "-o",
               str(docker_out))
    assert done.returncode == 0, done.stderr
    assert "read_only_root=on" in done.stderr and "no_capabilities=on" in done.stderr
    got = rewards(docker_out)
    assert got.keys() == EXPECTED.keys()
    for sample_id, reward in EXPECTED.items():
        assert got[sample_id] == pytest.approx(reward), sample_id
    done = cli("score", "examples/mixed_batch.jsonl", "-o", str(process_out))
    assert done.returncode == 0, done.stderr
    assert rewards(process_out) == got


def test_doctor_in_docker_reports_every_layer(sandbox_images):
    done = cli("doctor", "--backend", "docker", "--json", "--require-layers",
               "read_only_root,no_capabilities,netns,seccomp,no_new_files")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["backend"] == "docker"
    assert report["languages"] == ["cpp", "javascript", "python"]
    assert all(report[name] is True for name in ("pidns", "cgroup", "uid_drop", "landlock"))


def test_no_engine_falls_back_to_processes_with_a_clear_message():
    done = cli("doctor", env={"VERIFIER_BACKEND": "docker",
                              "DOCKER_HOST": "unix:///nonexistent/docker.sock"})
    assert done.returncode == 0, done.stderr
    assert "no Docker engine reachable" in done.stderr and "falling back" in done.stderr
    assert done.stdout.startswith("backend: process")


def test_strict_mode_without_docker_refuses_container_only_layers():
    done = cli("score", "examples/mixed_batch.jsonl", "--require-layers", "read_only_root")
    assert done.returncode == 2 and "read_only_root" in done.stderr


def test_bench_measures_both_pools_and_every_language(docker_sandbox):
    rows = list(bench_docker(samples=20, cold_samples=2, native_samples=2,
                             sandbox=docker_sandbox))
    assert [row.name for row in rows] == ["warm pool, python", "container per sample, python",
                                         "warm pool, cpp", "warm pool, javascript"]
    assert all(row.all_correct and row.samples_per_s > 0 for row in rows)
    table = format_rows(rows, workers=docker_sandbox.workers)
    assert "x samples/s" in table
    print(table)  # the figures, for people; speed is never asserted


def test_bench_command_prints_the_docker_rows(sandbox_images, tmp_path):
    figures = tmp_path / "bench.json"
    done = cli("bench", "--backend", "docker", "--samples", "16", "--cold-samples", "1",
               "--native-samples", "1", "--workers", "1", "--json", str(figures))
    assert done.returncode == 0, done.stderr
    assert "warm pool / container per sample:" in done.stdout
    rows = json.loads(figures.read_text())
    assert [row["name"] for row in rows][:2] == ["warm pool, python",
                                                 "container per sample, python"]
    assert all(row["all_correct"] for row in rows)
