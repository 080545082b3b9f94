"""The Docker backend's pool and walls, with real containers: layers, network, read-only root,
pids limit, suites absent, and a pool that survives containers dying under it."""

import contextlib
import socket
import threading
import time

import pytest

from tests.e2e.conftest import our_containers
from tests.helpers import TESTCASES, call_job, sample
from verifier.sandbox.docker import DockerSandbox
from verifier.sandbox.images import DEFAULT_IMAGES, image_problem
from verifier.sandbox.resume import run_resuming

ADD = "def add(a, b):\n    return a + b\n"
# Everything the runner adds switched off: only the container's own walls remain.
CONTAINER_ONLY = {"seccomp": False, "no_new_files": False}


def attempt(box, body, **limits):
    """Run `body` (the inside of a function) in a container; its return value or error."""
    code = "import os, socket, errno\ndef f():\n" + "".join(
        f"    {line}\n" for line in body.strip().splitlines())
    report = run_resuming(box, call_job(code, "f", [], **limits), budget_s=30)
    record = report.records[0]
    return record.value if record.status == "ok" else record.error


TRY = "try:\n    {action}\nexcept OSError as exc:\n    return errno.errorcode[exc.errno]\n" \
      "return 'allowed'"


def test_images_are_built_from_this_runner(engine):
    for _, image in DEFAULT_IMAGES:
        assert image_problem(engine, image) is None


def test_every_layer_holds_inside_the_containers(docker_sandbox):
    layers = docker_sandbox.layers
    for name in ("seccomp", "no_new_files", "no_network", "no_exec", "no_fork", "hard_limits",
                 "empty_env", "subreaper", "netns", "pidns", "cgroup", "uid_drop",
                 "read_only_root", "no_capabilities", "service_unreachable"):
        assert layers.get(name) is True, name
    assert docker_sandbox.languages == {"python", "cpp", "javascript"}


def test_containers_run_as_their_own_user_without_capabilities(docker_sandbox, engine):
    names = docker_sandbox.container_names()
    assert names and all(name.startswith("verifier-sandbox-") for name in names)
    users = set()
    for name in names:
        attrs = engine.containers.get(name).attrs
        host = attrs["HostConfig"]
        assert host["NetworkMode"] == "none" and host["ReadonlyRootfs"] is True
        assert host["CapDrop"] == ["ALL"] and "no-new-privileges" in host["SecurityOpt"]
        assert host["Memory"] > 0 and host["PidsLimit"] > 0
        users.add((attrs["Config"]["Image"].split(":")[0], attrs["Config"]["User"]))
    assert all(not user.startswith("0:") for _, user in users)
    # One uid per worker within a language's pool.
    assert len({user for image, user in users if image.endswith("python")}) == 2


@pytest.mark.parametrize("own_pool", [CONTAINER_ONLY], indirect=True)
def test_no_network_even_without_seccomp(own_pool):
    found = attempt(own_pool, TRY.format(action="socket.create_connection(('1.1.1.1', 53), 2)"))
    assert found in ("ENETUNREACH", "EHOSTUNREACH")
    assert attempt(own_pool, "return sorted(os.listdir('/sys/class/net'))") == ["lo"]


@pytest.mark.parametrize("own_pool", [CONTAINER_ONLY], indirect=True)
def test_root_file_system_is_read_only_and_tmp_is_not(own_pool):
    assert attempt(own_pool, TRY.format(action="open('/etc/verifier-probe', 'w')")) == "EROFS"
    assert attempt(own_pool, TRY.format(action="open('/opt/verifier/runner/x.py', 'w')")) \
        == "EROFS"
    assert attempt(own_pool, TRY.format(action="open('/tmp/verifier-probe', 'w').close()")) \
        == "allowed"


@pytest.mark.parametrize("own_pool", [CONTAINER_ONLY], indirect=True)
def test_the_suites_are_not_in_the_container(own_pool):
    suite = str(TESTCASES / "basics" / "add.json")
    assert attempt(own_pool, TRY.format(action=f"open({suite!r})")) == "ENOENT"


@pytest.mark.parametrize("own_pool", [{**CONTAINER_ONLY, "pids": 40}], indirect=True)
def test_a_fork_bomb_stays_inside_the_pids_limit(own_pool):
    # With seccomp off, fork works; RLIMIT_NPROC (processes + 2) is set above the
    # container's pids limit here, so the pids cgroup is the wall that holds.
    bomb = ("import os, time\ndef f():\n    born = 0\n    while born < 10000:\n"
            "        try:\n            pid = os.fork()\n        except OSError:\n"
            "            return born\n        if pid == 0:\n            time.sleep(30)\n"
            "            os._exit(0)\n        born += 1\n    return born\n")
    report = run_resuming(own_pool, call_job(bomb, "f", [], processes=64), budget_s=30)
    born = report.records[0].value
    assert isinstance(born, int) and 0 < born < 40
    # The job's leftovers were killed: the next job in the same container works.
    assert attempt(own_pool, "return 'healthy'") == "healthy"


def test_the_pool_replaces_a_container_killed_between_jobs(docker_scorer, docker_sandbox,
                                                          engine):
    assert docker_scorer.score([sample(ADD, "basics/add")])[0]["aggregate_reward_score"] == 1.0
    for name in docker_sandbox.container_names():
        if "-python-" in name:
            engine.containers.get(name).kill()
    time.sleep(0.5)
    for _ in range(3):
        (entry,) = docker_scorer.score([sample(ADD, "basics/add")])
        assert entry["aggregate_reward_score"] == 1.0


def _kill_python_containers(box, engine, stop, killed):
    while not stop.is_set():
        for name in box.container_names():
            if "-python-" in name:
                with contextlib.suppress(Exception):  # already gone: being replaced
                    engine.containers.get(name).kill()
                    killed.append(name)
        time.sleep(0.05)


def test_a_container_dying_mid_job_is_retried_not_scored(docker_scorer, docker_sandbox, engine):
    slow = "import time\ndef add(a, b):\n    time.sleep(0.2)\n    return a + b\n"
    killed = []

    def kill_once():
        for name in docker_sandbox.container_names():
            if "-python-" in name:
                with contextlib.suppress(Exception):
                    engine.containers.get(name).kill()
                    killed.append(name)

    timer = threading.Timer(0.5, kill_once)  # the job runs 7 tests of 0.2 s each
    timer.start()
    try:
        (result,) = docker_scorer.evaluate([sample(slow, "basics/add")])
    finally:
        timer.join()
    assert killed
    assert result.status == "scored" and result.reward == 1.0  # retried on a fresh container


def test_a_sample_whose_container_dies_every_time_is_its_own_failure(docker_scorer,
                                                                     docker_sandbox, engine):
    slow = "import time\ndef add(a, b):\n    time.sleep(1)\n    return a + b\n"
    stop, killed = threading.Event(), []
    killer = threading.Thread(target=_kill_python_containers,
                              args=(docker_sandbox, engine, stop, killed))
    killer.start()
    try:
        (result,) = docker_scorer.evaluate([sample(slow, "basics/add")])
    finally:
        stop.set()
        killer.join()
    assert result.status == "scored" and result.reward < 0
    assert "killed its sandbox twice" in result.error
    (after,) = docker_scorer.score([sample(ADD, "basics/add")])
    assert after["aggregate_reward_score"] == 1.0


def test_closing_a_pool_removes_its_containers(engine):
    box = DockerSandbox(workers=1, client=engine)
    box.warm(["python"])
    names = box.container_names()
    assert len(names) == 1
    box.close()
    assert not [c for c in our_containers(engine) if c.name in names]


def test_a_crashed_services_containers_are_removed_by_the_next(engine):
    stale = engine.containers.create(
        "verifier-sandbox-python:latest", ["sleep", "60"], name="verifier-sandbox-orphan-test",
        labels={"verifier.sandbox": "1", "verifier.sandbox.owner": "nowhere:1"})
    host = socket.gethostname()
    orphan = engine.containers.create(
        "verifier-sandbox-python:latest", ["sleep", "60"],
        name="verifier-sandbox-orphan-test-2",
        labels={"verifier.sandbox": "1", "verifier.sandbox.owner": f"{host}:999999999"})
    try:
        DockerSandbox(workers=1, client=engine).close()
        names = {c.name for c in engine.containers.list(all=True)}
        assert orphan.name not in names  # this host, owner gone: removed
        assert stale.name in names  # another host's: never touched
    finally:
        for container in (stale, orphan):
            with contextlib.suppress(Exception):  # removed by the sandbox already
                container.remove(force=True)
