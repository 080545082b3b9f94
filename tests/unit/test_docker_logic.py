"""The Docker backend's pure parts: the attach stream's demultiplexing, the engine's layer
report, and what every container is created with. No engine needed."""

import struct

from verifier.sandbox.container import ContainerSpec, Demux, create_args
from verifier.sandbox.docker import _engine_layers


def framed(stream, payload):
    return struct.pack(">BxxxI", stream, len(payload)) + payload


def test_demux_keeps_stdout_however_the_stream_is_cut():
    stream = framed(1, b"hello ") + framed(2, b"noise") + framed(1, b"world" * 1000)
    for size in (1, 3, 7, 8, 9, 4096):
        demux = Demux()
        out = b"".join(demux.feed(stream[i:i + size]) for i in range(0, len(stream), size))
        assert out == b"hello " + b"world" * 1000, size


def test_demux_of_an_empty_frame_and_of_headers_alone():
    demux = Demux()
    assert demux.feed(framed(1, b"")) == b""
    assert demux.feed(framed(1, b"ab")[:8]) == b""  # only the header so far
    assert demux.feed(b"ab") == b"ab"


GOOD = {"HostConfig": {"NetworkMode": "none", "PidMode": "", "Memory": 1 << 31,
                       "PidsLimit": 128, "ReadonlyRootfs": True, "CapDrop": ["ALL"],
                       "SecurityOpt": ["no-new-privileges"]},
        "Config": {"User": "62000:62000"}}


def test_engine_layers_are_read_from_the_container_not_assumed():
    assert all(_engine_layers(GOOD, zygote_pid=1).values())
    bridge = {**GOOD, "HostConfig": {**GOOD["HostConfig"], "NetworkMode": "bridge"}}
    assert _engine_layers(bridge, zygote_pid=1)["netns"] is False
    root = {**GOOD, "Config": {"User": "0:0"}}
    assert _engine_layers(root, zygote_pid=1)["uid_drop"] is False
    assert _engine_layers(GOOD, zygote_pid=7)["pidns"] is False  # the zygote is not init
    caps = {**GOOD, "HostConfig": {**GOOD["HostConfig"], "CapDrop": ["NET_RAW"]}}
    assert _engine_layers(caps, zygote_pid=1)["no_capabilities"] is False


def test_every_container_is_created_locked_down():
    spec = ContainerSpec(image="verifier-sandbox-python:latest", language="python",
                         memory_mb=1024, pids=64, tmpfs_mb=128, uid=62001, cpus=None,
                         name_prefix="verifier-sandbox", owner="host:1")
    args = create_args(spec, index=1)
    assert args["name"].startswith("verifier-sandbox-python-")
    assert args["network_mode"] == "none" and args["read_only"] is True
    assert args["cap_drop"] == ["ALL"] and args["security_opt"] == ["no-new-privileges"]
    assert args["user"] == "62001:62001" and args["environment"] == {}
    assert args["mem_limit"] == args["memswap_limit"] == "1024m" and args["pids_limit"] == 64
    assert "size=128m" in args["tmpfs"]["/tmp"] and "nosuid" in args["tmpfs"]["/tmp"]
    assert args["labels"]["verifier.sandbox.owner"] == "host:1"
