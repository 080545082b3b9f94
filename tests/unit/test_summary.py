from verifier.contract import result
from verifier.summary import status_of, summarize


def test_status_read_back_from_metrics():
    assert status_of(result("a", 1.0, {"pass_ratio": 1.0, "error": 0.0})) == "scored"
    assert status_of(result("a", -1.0, {"error": 1.0})) == "invalid"
    assert status_of(result("a", 0.0, {"grader_error": 1.0})) == "unscored"
    assert status_of(result("a", -1.0, {"deadline": 1.0})) == "deadline"


def test_summary_counts_mean_histogram_and_rate():
    entries = [result("a", 1.0, {"pass_ratio": 1.0, "error": 0.0}),
               result("b", -1.0, {"error": 1.0}),
               result("c", 0.25, {"pass_ratio": 0.5, "error": 0.0})]
    text = summarize(entries, elapsed_s=2.0, workers=2)
    assert "3 samples in 2.00 s (1.5 samples/s, 2 workers)" in text
    assert "scored 2, invalid 1, unscored 0, deadline 0" in text
    assert "mean reward +0.083" in text
    assert "mean pass ratio 0.750" in text
    rows = [line for line in text.splitlines() if line.startswith("  [")]
    assert len(rows) == 8
    assert rows[0].split()[2] == "1"      # -1.0 lands in the first bin
    assert rows[-1].split()[2] == "1"     # 1.0 lands in the last bin
    assert rows[5].split()[2] == "1"      # 0.25 in [+0.25, +0.50)


def test_empty_batch():
    assert "0 samples" in summarize([], elapsed_s=0.1)
