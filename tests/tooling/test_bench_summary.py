"""``make bench``'s closing table: rows recorded per benchmark, one Markdown table, gaps named."""

from __future__ import annotations

import io
import json

import pytest
from benchmarks import summary


def test_record_appends_rows_per_benchmark_and_creates_the_folder(tmp_path):
    folder = tmp_path / "var" / "bench"
    summary.record(
        "ledger", "verify <= 10x hashlib", "0.02 s", "0.004 s", "5x", True, directory=folder
    )
    summary.record("ledger", "incremental < 1 s", "7 ms", "-", "-", True, directory=folder)
    summary.record("audit", "pages/s", "300", "100", "3.0x", None, directory=folder)

    stored = json.loads((folder / "ledger.json").read_text(encoding="utf-8"))
    assert [row["target"] for row in stored] == ["verify <= 10x hashlib", "incremental < 1 s"]
    assert set(stored[0]) == set(summary.KEYS)
    assert [row["benchmark"] for row in summary.load(folder)] == ["audit", "ledger", "ledger"]


def test_table_has_one_row_per_target_and_marks_met_unmet_and_untargeted(tmp_path):
    summary.record(
        "pk", "100k x 289 < 1 s", "0.26 s", "solve_ivp 40 min", "9,000x", True, directory=tmp_path
    )
    summary.record(
        "web", "API read >= 30% of bare", "12%", "1,200 req/s", "0.12", False, directory=tmp_path
    )
    summary.record("audit", "pages/s | threads", "300", "100", "3.0x", None, directory=tmp_path)

    out = io.StringIO()
    unmet = summary.print_table(tmp_path, stream=out)
    lines = out.getvalue().splitlines()

    assert unmet == 1
    assert lines[0] == "| benchmark | target | measured | alternative (same run) | ratio | met? |"
    table = [line for line in lines if line.startswith("| ") and "---" not in line][1:]
    assert table == [
        "| audit | pages/s \\| threads | 300 | 100 | 3.0x | - |",  # a pipe cannot split a cell
        "| pk | 100k x 289 < 1 s | 0.26 s | solve_ivp 40 min | 9,000x | yes |",
        "| web | API read >= 30% of bare | 12% | 1,200 req/s | 0.12 | **no** |",
    ]
    assert "1 of 2 targets met; 1 rows measured without a target." in lines


def test_unmet_targets_are_listed_after_the_table_with_their_gap(tmp_path):
    summary.record(
        "ledger",
        "verify <= 10x hashlib",
        "0.05 s",
        "0.001 s",
        "48x",
        False,
        gap="canonical JSON encoding per entry",
        directory=tmp_path,
    )
    summary.record("web", "p95 <= 50 ms", "257 ms", "-", "5.1x", False, directory=tmp_path)
    summary.record("pk", "fast", "1 s", "2 s", "2x", True, directory=tmp_path)

    text = summary.render(summary.load(tmp_path))
    listing = text.split("Unmet targets:\n", 1)[1].splitlines()

    assert listing == [
        "- ledger: verify <= 10x hashlib — measured 0.05 s, ratio 48x (alternative: 0.001 s); "
        "gap: canonical JSON encoding per entry",
        "- web: p95 <= 50 ms — measured 257 ms, ratio 5.1x (alternative: -); "
        "gap: not named by the benchmark",
    ]


def test_all_met_has_no_unmet_list_and_an_empty_folder_says_so(tmp_path):
    summary.record("pk", "fast", "1 s", "2 s", "2x", True, directory=tmp_path)
    assert "Unmet targets" not in summary.render(summary.load(tmp_path))
    assert "var/bench/ is empty" in summary.render(summary.load(tmp_path / "missing"))


def test_clear_removes_the_previous_runs_rows(tmp_path):
    summary.record("pk", "fast", "1 s", "2 s", "2x", True, directory=tmp_path)
    summary.clear(tmp_path)
    assert summary.load(tmp_path) == []


def test_rows_written_by_hand_in_the_protocol_format_are_read(tmp_path):
    row = {
        "benchmark": "web",
        "target": "t",
        "measured": "m",
        "alternative": "a",
        "ratio": "r",
        "met": None,
    }
    (tmp_path / "web.json").write_text(json.dumps([row]), encoding="utf-8")
    assert summary.load(tmp_path) == [row]


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        (("../x", "t", "m", "a", "r", True), "benchmark"),
        (("pk", "", "m", "a", "r", True), "target"),
        (("pk", "t", "m", "a", "r", "yes"), "met"),
    ],
)
def test_bad_rows_are_refused_naming_the_field(tmp_path, arguments, field):
    with pytest.raises(ValueError, match=field):
        summary.record(*arguments, directory=tmp_path)


def test_a_malformed_file_names_itself_and_the_missing_keys(tmp_path):
    (tmp_path / "web.json").write_text('[{"benchmark": "web"}]', encoding="utf-8")
    with pytest.raises(ValueError, match=r"web.json: row 1 lacks target"):
        summary.load(tmp_path)


def test_rows_recorded_together_name_a_gap_only_for_the_unmet(tmp_path, monkeypatch):
    monkeypatch.setenv("KETACLINIC_BENCH_DIR", str(tmp_path))
    rows = [
        {
            "benchmark": "fhir",
            "target": "read >= 40%",
            "measured": "9%",
            "alternative": "bare",
            "ratio": "0.09",
            "met": False,
        },
        {
            "benchmark": "fhir",
            "target": "export flat",
            "measured": "80 MB",
            "alternative": "-",
            "ratio": "1.08x",
            "met": True,
        },
    ]
    summary.record_rows(rows, gap_of=lambda row: f"profile of {row['target']}")
    stored = summary.load(tmp_path)
    assert [row.get("gap") for row in stored] == ["profile of read >= 40%", None]
