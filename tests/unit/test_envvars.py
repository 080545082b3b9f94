import pytest

from verifier.envvars import (
    backend,
    log_level,
    metrics_namespace,
    service_name,
    settings_from_env,
    suite_paths,
)
from verifier.errors import InvalidRequest


def test_precedence_explicit_then_env_then_default():
    env = {"VERIFIER_WORKERS": "3", "VERIFIER_FLOOR_REWARD": "-0.5"}
    assert settings_from_env(env).workers == 3
    assert settings_from_env(env, workers=5).workers == 5
    assert settings_from_env({}).workers is None
    assert settings_from_env(env).floor_reward == -0.5


def test_limits_from_env():
    settings = settings_from_env({"VERIFIER_TIMEOUT_S": "1.5", "VERIFIER_MEMORY_MB": "256"})
    assert settings.limits.timeout_s == 1.5
    assert settings.limits.memory_mb == 256


@pytest.mark.parametrize("env", [{"VERIFIER_WORKERS": "many"}, {"VERIFIER_WORKERS": "0"},
                                 {"VERIFIER_FLOOR_REWARD": "-3"}, {"VERIFIER_MEMORY_MB": "8"}])
def test_bad_values_name_the_problem(env):
    with pytest.raises(InvalidRequest):
        settings_from_env(env)


def test_suite_paths():
    assert suite_paths({}, default=("testcases",)) == ("testcases",)
    assert suite_paths({"VERIFIER_SUITES": "a:b"}, default=("x",)) == ("a", "b")
    assert suite_paths({"VERIFIER_SUITES": "a"}, ("c",)) == ("c",)


def test_suite_locations_keep_s3_urls_whole():
    env = {"VERIFIER_SUITES": "s3://bucket/suites/:testcases:s3://other/p/"}
    assert suite_paths(env) == ("s3://bucket/suites/", "testcases", "s3://other/p/")


def test_log_level_and_powertools_names():
    assert log_level({}, default="INFO") == "INFO"
    assert log_level({"VERIFIER_LOG_LEVEL": "debug"}, default="INFO") == "DEBUG"
    with pytest.raises(InvalidRequest, match="VERIFIER_LOG_LEVEL"):
        log_level({"VERIFIER_LOG_LEVEL": "loud"}, default="INFO")
    assert metrics_namespace({}) == "Verifier"
    assert metrics_namespace({"POWERTOOLS_METRICS_NAMESPACE": "RFT"}) == "RFT"
    assert service_name({}) == "verifier"


def test_backend_explicit_then_environment_then_process():
    assert backend({}) == "process"
    assert backend({"VERIFIER_BACKEND": "docker"}) == "docker"
    assert backend({"VERIFIER_BACKEND": "docker"}, "process") == "process"
    with pytest.raises(InvalidRequest, match="VERIFIER_BACKEND"):
        backend({"VERIFIER_BACKEND": "podman"})
