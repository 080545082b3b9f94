"""`verifier doctor` and strict mode, as a user runs them."""

import json
import os

from tests.functional.test_cli import run
from tests.helpers import sample
from verifier.errors import SandboxError
from verifier.sandbox.process import ProcessOptions, ProcessSandbox

ROOT = os.geteuid() == 0
EVERYWHERE = ("seccomp", "no_new_files", "no_network", "no_exec", "no_fs_changes", "no_fork",
              "hard_limits", "empty_env", "service_unreachable", "service_non_dumpable")


def test_doctor_reports_what_holds_here():
    done = run("doctor", "--json")
    assert done.returncode == 0, done.stderr
    layers = json.loads(done.stdout)
    assert layers["running_as_root"] is ROOT
    for name in EVERYWHERE:  # none of these needs privilege
        assert layers[name] is True, name
    for name in ("uid_drop", "netns", "mountns", "pidns", "cgroup"):
        assert layers.get(name, False) is ROOT, name


def test_doctor_table_and_strict_failure():
    table = run("doctor")
    assert table.returncode == 0 and "isolation layers hold here" in table.stdout
    strict = run("doctor", "--require-layers", "seccomp,uid_drop")
    assert strict.returncode == (0 if ROOT else 1)
    bad = run("doctor", "--require-layers", "magic")
    assert bad.returncode == 2 and "unknown isolation layer" in bad.stderr


def test_strict_score_refuses_to_run_when_a_layer_is_missing(tmp_path):
    batch = tmp_path / "b.jsonl"
    batch.write_text(json.dumps(sample("def add(a, b):\n    return a + b", "basics/add")) + "\n")
    needs_root = run("score", str(batch), "--require-layers", "uid_drop")
    if ROOT:
        assert needs_root.returncode == 0
    else:
        assert needs_root.returncode == 2 and "strict mode" in needs_root.stderr
        assert needs_root.stdout == ""  # nothing was scored
    assert run("score", str(batch), "--require-layers", "seccomp").returncode == 0


def test_strict_sandbox_raises_a_non_transient_error():
    impossible = frozenset({"seccomp"})
    options = ProcessOptions(seccomp=False, require=impossible)
    with ProcessSandbox(workers=1, options=options) as box:
        try:
            box.warm()
        except SandboxError as exc:
            assert not exc.transient
            assert "seccomp" in str(exc)
        else:
            raise AssertionError("a sandbox without its required layer started")


def test_batch_sweep_removes_stale_work_folders(sandbox):
    stale = os.path.join(sandbox._tmp_root, "job-stale")
    os.mkdir(stale)
    assert sandbox.sweep() >= 1
    assert not os.path.exists(stale)
