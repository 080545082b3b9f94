import pytest

from verifier.isolation import LAYERS, describe, metrics, missing, one_line, parse_required

ALL_ON = dict.fromkeys(LAYERS, True)


def test_parse_required_names_and_refuses_unknown():
    assert parse_required("seccomp, no_new_files") == {"seccomp", "no_new_files"}
    assert parse_required(None) == frozenset()
    with pytest.raises(ValueError, match="unknown isolation layer"):
        parse_required("seccomp,magic")


def test_missing_counts_only_layers_that_are_exactly_true():
    layers = {"seccomp": True, "cgroup": False, "netns": "yes"}
    assert missing(layers, ["seccomp", "cgroup", "netns", "pidns"]) == ["cgroup", "netns", "pidns"]


def test_metrics_one_per_layer_and_a_count():
    got = metrics({"seccomp": True, "uid_drop": False})
    assert got["isolation_seccomp"] == 1.0 and got["isolation_uid_drop"] == 0.0
    assert got["isolation_layers"] == 1.0
    assert metrics(ALL_ON)["isolation_layers"] == len(LAYERS)


def test_one_line_and_table():
    line = one_line({"seccomp": True})
    assert line.startswith("isolation: ") and "seccomp=on" in line and "netns=off" in line
    table = describe({"seccomp": True}, ["netns"])
    assert table.startswith(f"1 of {len(LAYERS)}")
    assert "(required)" in next(row for row in table.splitlines() if " netns " in row)
