"""``ketaclinic scales``, ``score`` and ``outcome``: JSON for scripts, text for people, exit 2."""

from __future__ import annotations

import json

import pytest

from ketaclinic.cli import main
from ketaclinic.cli.scales import parse_answers
from ketaclinic.clinical.scales import get_scale


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_scales_lists_every_instrument_as_a_table(capsys) -> None:
    code, out, err = _run(capsys, "scales")
    assert code == 0
    assert err == ""
    assert "phq9" in out
    assert "44261-6" in out
    assert "cssrs_screen" in out


def test_scales_json_lists_ids_and_loinc_codes(capsys) -> None:
    code, out, _ = _run(capsys, "scales", "--json")
    listed = {entry["id"]: entry for entry in json.loads(out)}
    assert code == 0
    assert listed["phq9"]["loinc_total"] == "44261-6"
    assert listed["cssrs_screen"]["max_total"] is None
    assert listed["madrs"]["rater"] == "clinician"


def test_score_json_prints_the_result_fields(capsys) -> None:
    # 1+0+2+1+0+0+1+0+1 = 6: mild; item 9 = 1 alerts.
    code, out, err = _run(capsys, "score", "phq9", "--answers", "1,0,2,1,0,0,1,0,1", "--json")
    assert code == 0
    assert err == ""
    result = json.loads(out)
    assert {"scale", "total", "max_total", "band", "subscores", "flags"} <= set(result)
    assert result["scale"] == "phq9"
    assert result["total"] == 6
    assert result["max_total"] == 27
    assert result["band"] == "mild"
    assert result["flags"] == [
        {
            "code": "suicidal_ideation",
            "item": "item9",
            "level": "alert",
            "message": "PHQ-9 item 9 above 0: thoughts of death or self-harm; assess risk now.",
        }
    ]


def test_score_text_shows_total_band_subscores_and_alerts(capsys) -> None:
    # QIDS: sleep max 3, sad 2, appetite 2, items 10-14 = 1,1,1,0,0, psychomotor 0 -> 10 mild.
    code, out, _ = _run(
        capsys, "score", "qids_sr16", "--answers", "3,1,0,0,2,2,0,0,0,1,1,1,0,0,0,0"
    )
    assert code == 0
    assert "total 10 of 27 - Mild" in out
    assert "sleep: 3" in out
    assert "ALERT: suicidal_ideation (item12)" in out


def test_score_text_shows_warnings_and_indicators(capsys) -> None:
    code, out, _ = _run(capsys, "score", "madrs", "--answers", "0,0,0,0,0,0,0,0,0,2")
    assert code == 0
    assert "warning: suicidal_thoughts (item10)" in out
    code, out, _ = _run(capsys, "score", "gad7", "--answers", "2,2,2,2,1,1,0")
    assert "gad_cutoff: yes" in out
    code, out, _ = _run(capsys, "score", "gad7", "--answers", "0,0,0,0,0,0,0")
    assert "gad_cutoff: no" in out


def test_score_text_without_bands_shows_the_total_alone(capsys) -> None:
    code, out, _ = _run(capsys, "score", "mood_nrs", "--answers", "7")
    assert code == 0
    assert out.splitlines()[0] == "Mood, 0-10 numeric rating: total 7 of 10"


def test_cssrs_accepts_yes_no_letters_and_dashes_for_skipped_items(capsys) -> None:
    # Yes to 1, no to 2 (3-5 skipped), yes to 6, within 3 months -> high.
    code, out, _ = _run(capsys, "score", "cssrs_screen", "--answers", "y,n,-,-,-,Yes,y", "--json")
    result = json.loads(out)
    assert code == 0
    assert result["total"] is None
    assert result["band"] == "high"
    assert result["flags"][0]["item"] == "item6_recent"


def test_cssrs_text_shows_the_risk_level(capsys) -> None:
    code, out, _ = _run(capsys, "score", "cssrs_screen", "--answers", "n,n,,,,no")
    assert code == 0
    assert "No risk identified by the screen" in out


def test_cssrs_answer_to_a_skipped_question_exits_2_naming_it(capsys) -> None:
    code, out, err = _run(capsys, "score", "cssrs_screen", "--answers", "y,n,y,-,-,n")
    assert code == 2
    assert out == ""
    assert err == (
        "ketaclinic: error: item3: not asked when item2 is not 1 (skip logic); leave it out\n"
    )


def test_a_missing_answer_exits_2_with_one_line_naming_the_item(capsys) -> None:
    code, out, err = _run(capsys, "score", "phq9", "--answers", "1,0,2,1,0,0,1,0")
    assert code == 2
    assert out == ""
    assert err.startswith("ketaclinic: error: item9: missing answer")
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ("1,0,2,1,0,0,1,0,x", "item9: must be a whole number, got 'x'"),
        ("1,0,2,1,0,0,1,0,4", "item9: must be between 0 and 3, got 4"),
        ("1,0,2,1,0,0,1,0,y", "item9: must be a whole number, got 'y'"),
        ("0,0,0,0,0,0,0,0,0,0,0", "answers: expected 9 or 10 answers, got 11"),
        ("0,0,0,0,0,0,0,0,0,0,x", "answers: must be a whole number, got 'x'"),
    ],
)
def test_bad_answers_exit_2_naming_the_item(capsys, answers: str, expected: str) -> None:
    code, out, err = _run(capsys, "score", "phq9", "--answers", answers)
    assert code == 2
    assert out == ""
    assert err == f"ketaclinic: error: {expected}\n"


def test_an_unknown_scale_exits_2(capsys) -> None:
    code, _, err = _run(capsys, "score", "phq10", "--answers", "1")
    assert code == 2
    assert err.startswith("ketaclinic: error: scale: unknown scale 'phq10'")


def test_outcome_json_reports_response_and_remission(capsys) -> None:
    # 18 -> 4: -14, -14/18 = -77.8%; >= 50% reduction; 4 < 5.
    code, out, _ = _run(capsys, "outcome", "phq9", "--baseline", "18", "--current", "4", "--json")
    result = json.loads(out)
    assert code == 0
    assert result["change"] == -14
    assert result["percent_change"] == -77.8
    assert result["response"] is True
    assert result["remission"] is True
    assert "50%" in result["definitions"]["response"]


def test_outcome_text_is_readable(capsys) -> None:
    code, out, _ = _run(capsys, "outcome", "madrs", "--baseline", "30", "--current", "16")
    assert code == 0
    assert out.splitlines()[0] == "madrs: baseline 30, current 16, change -14 (-46.7%)"
    assert out.splitlines()[1].startswith("response: no - ")
    assert out.splitlines()[2].startswith("remission: no - ")


def test_outcome_text_from_a_zero_baseline_says_response_is_undefined(capsys) -> None:
    code, out, _ = _run(capsys, "outcome", "phq9", "--baseline", "0", "--current", "2")
    assert code == 0
    assert "change +2" in out
    assert "response: undefined (baseline 0)" in out
    assert "remission: no" in out
    assert "Only from a baseline above the remission range." in out


def test_outcome_remission_needs_a_baseline_above_the_remission_line(capsys) -> None:
    # PHQ-9 3 -> 2: already below 5 at baseline, so not a remission (as on the dashboard).
    code, out, _ = _run(capsys, "outcome", "phq9", "--baseline", "3", "--current", "2")
    assert code == 0
    assert "remission: no" in out


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["outcome", "phq9", "--baseline", "x", "--current", "1"], "baseline: must be a whole"),
        (["outcome", "phq9", "--baseline", "10", "--current", "28"], "current: must be between"),
        (["outcome", "audit", "--baseline", "10", "--current", "2"], "scale: audit has no"),
    ],
)
def test_bad_outcome_input_exits_2(capsys, argv: list[str], expected: str) -> None:
    code, out, err = _run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.startswith(f"ketaclinic: error: {expected}")


def test_missing_answers_option_is_an_argparse_error_with_exit_2(capsys) -> None:
    code, _, err = _run(capsys, "score", "phq9")
    assert code == 2
    assert err.startswith("ketaclinic: error:")
    assert err.count("\n") == 1


def test_parse_answers_maps_yes_and_no_through_the_item_options() -> None:
    assert parse_answers(get_scale("cssrs_screen"), " Y , N ,-,-,-, no") == [
        1,
        0,
        None,
        None,
        None,
        0,
    ]


def test_scales_with_an_id_shows_items_and_bands(capsys) -> None:
    code, out, _ = _run(capsys, "scales", "audit")
    assert code == 0
    assert "item9" in out
    assert "0,2,4" in out
    assert "band zone_4: 20-40" in out


def test_scales_with_an_id_shows_the_cssrs_risk_levels(capsys) -> None:
    code, out, _ = _run(capsys, "scales", "cssrs_screen")
    assert code == 0
    assert "risk high: High risk" in out


def test_scales_with_an_id_and_json_prints_the_full_definition(capsys) -> None:
    code, out, _ = _run(capsys, "scales", "pcl5", "--json")
    described = json.loads(out)
    assert code == 0
    assert described["id"] == "pcl5"
    assert described["max_total"] == 80
    assert described["symptom_rules"][0]["endorsed_at"] == 2


def test_scales_with_an_unknown_id_exits_2(capsys) -> None:
    code, _, err = _run(capsys, "scales", "nope")
    assert code == 2
    assert err.startswith("ketaclinic: error: scale: unknown scale 'nope'")


def test_outcome_on_the_peg_says_remission_is_not_defined(capsys) -> None:
    # PEG sum 20 -> 14: a 30% fall, the IMMPACT response; no published remission.
    code, out, _ = _run(capsys, "outcome", "peg", "--baseline", "20", "--current", "14")
    assert code == 0
    assert "response: yes" in out
    assert "remission: not defined - No published remission definition on the PEG" in out
