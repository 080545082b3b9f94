import pytest

from verifier.sandbox.runner.wire import FrameError, FrameReader, dump_frame


def test_frames_survive_arbitrary_chunking():
    stream = dump_frame({"a": 1}) + dump_frame([1, 2, 3]) + dump_frame("x" * 1000)
    reader = FrameReader(max_frame=4096)
    got = []
    for start in range(0, len(stream), 7):
        reader.feed(stream[start:start + 7])
        got.extend(reader.frames())
    assert got == [{"a": 1}, [1, 2, 3], "x" * 1000]
    assert reader.pending() == 0


def test_oversized_frame_is_refused_before_it_is_buffered():
    reader = FrameReader(max_frame=10)
    reader.feed(dump_frame("y" * 100)[:4])
    with pytest.raises(FrameError, match="exceeds"):
        reader.frames()


def test_invalid_json_body_is_a_frame_error():
    reader = FrameReader(max_frame=100)
    reader.feed(b"\x00\x00\x00\x03{{{")
    with pytest.raises(FrameError, match="not valid JSON"):
        reader.frames()


def test_nan_is_never_written():
    with pytest.raises(ValueError):
        dump_frame(float("nan"))
