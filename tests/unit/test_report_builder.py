from verifier.sandbox.base import ReportBuilder


def build(frames, expected=(0, 1)):
    builder = ReportBuilder(expected=list(expected))
    for frame in frames:
        builder.add(frame)
    return builder.report


LOAD = {"k": "load", "ok": True}


def test_well_formed_stream():
    report = build([LOAD, {"k": "test", "i": 0, "status": "ok", "value": 1, "ms": 0.5},
                    {"k": "test", "i": 1, "status": "error", "error": "E" * 1000},
                    {"k": "end"}])
    assert report.loaded and report.ended and report.protocol_error is None
    assert report.records[0].value == 1
    assert len(report.records[1].error) < 300


def test_out_of_order_frame_stops_accepting():
    report = build([LOAD, {"k": "test", "i": 1, "status": "ok"},
                    {"k": "test", "i": 0, "status": "ok"}])
    assert report.records == {}
    assert "before test 0" in report.protocol_error


def test_duplicate_test_frame_is_a_violation():
    report = build([LOAD, {"k": "test", "i": 0, "status": "ok"},
                    {"k": "test", "i": 0, "status": "ok"}, {"k": "test", "i": 1, "status": "ok"}])
    assert list(report.records) == [0]
    assert report.protocol_error


def test_forged_statuses_and_kinds_are_refused():
    for frame in ({"k": "test", "i": 0, "status": "pass"}, {"k": "done"}, {"k": "test", "i": True,
                                                                         "status": "ok"}, [1]):
        report = build([LOAD, frame])
        assert report.records == {}
        assert report.protocol_error


def test_tests_before_load_and_second_load_are_refused():
    assert build([{"k": "test", "i": 0, "status": "ok"}]).protocol_error
    assert build([LOAD, LOAD]).protocol_error
    assert build([LOAD, {"k": "end"}]).protocol_error


def test_failed_load_keeps_a_clipped_reason():
    report = build([{"k": "load", "ok": False, "error": "SyntaxError: " + "x" * 5000}])
    assert report.loaded is False
    assert report.load_error.startswith("SyntaxError") and len(report.load_error) < 300


def test_non_finite_timing_is_ignored():
    report = build([LOAD, {"k": "test", "i": 0, "status": "ok", "ms": "fast"}], expected=[0])
    assert report.records[0].ms == 0.0


def test_fault_frames_are_trusted_only_from_a_native_driver():
    fault = {"k": "fault", "error": "no tool for cpp on this machine"}
    native = ReportBuilder(expected=[0], native=True)
    native.add(LOAD)
    native.add(fault)
    native.add({"k": "test", "i": 0, "status": "ok"})
    assert native.report.fault == "no tool for cpp on this machine"
    assert native.report.records == {}
    # A Python child shares its process with the candidate, which could forge one.
    python = build([LOAD, fault], expected=[0])
    assert python.fault is None and python.protocol_error


def test_a_driver_may_report_a_timeout_itself():
    report = build([LOAD, {"k": "test", "i": 0, "status": "timeout", "error": "ran past"}],
                   expected=[0])
    assert report.records[0].status == "timeout"


def test_only_a_native_driver_may_end_before_every_test():
    native = ReportBuilder(expected=[0, 1, 2], native=True)
    for frame in (LOAD, {"k": "test", "i": 0, "status": "timeout"}, {"k": "end"}):
        native.add(frame)
    assert native.report.ended and native.report.protocol_error is None
    assert list(native.report.records) == [0]
    assert build([LOAD, {"k": "test", "i": 0, "status": "ok"}, {"k": "end"}]).protocol_error
