"""``ketaclinic discharge-check``: ready and reasons as JSON or text; bad input exits 2."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from ketaclinic.cli import main
from ketaclinic.clinical.monitoring import NO_DRIVING_INSTRUCTION

SESSION: dict[str, Any] = {
    "route": "esketamine",
    "dose_started_at": "2026-11-20T09:00:00+01:00",
    "as_of": "2026-11-20T11:05:00+01:00",
    "baseline": {"bp_systolic": 128, "bp_diastolic": 78, "heart_rate": 70},
    "latest": {"bp_systolic": 136, "bp_diastolic": 84, "heart_rate": 76, "spo2": 97, "moaas": 5},
    "dissociation_resolved": True,
    "cadss_total": 1,
    "escort_confirmed": True,
}


def _write(tmp_path: Path, value: Any) -> str:
    path = tmp_path / "session.json"
    path.write_text(value if isinstance(value, str) else json.dumps(value), encoding="utf-8")
    return str(path)


def test_a_ready_session_prints_ready_true_with_no_reasons(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 09:00 -> 11:05 is 125 minutes >= 120; 136 <= 140, 84 <= 90, 76 <= 100, 97 > 92, MOAA/S 5
    assert main(["discharge-check", "--input", _write(tmp_path, SESSION), "--json"]) == 0
    output = json.loads(capsys.readouterr().out)
    assert output == {"ready": True, "reasons": [], "instructions": [NO_DRIVING_INSTRUCTION]}


def test_a_session_not_ready_lists_each_reason_with_its_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    session = {**SESSION, "as_of": "2026-11-20T10:30:00+01:00", "escort_confirmed": False}
    assert main(["discharge-check", "--input", _write(tmp_path, session), "--json"]) == 0
    output = json.loads(capsys.readouterr().out)
    assert output["ready"] is False
    assert [(r["code"], r["source"]) for r in output["reasons"]] == [
        ("observation_too_short", "screen.spravato-label"),
        ("escort_not_confirmed", "screen.spravato-label"),
    ]
    # 09:00 -> 10:30 is 90 minutes: 30 more to 120
    assert "Observed 90 of at least 120 minutes" in output["reasons"][0]["message"]
    assert "30 more" in output["reasons"][0]["message"]


def test_text_output_is_readable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    session = {**SESSION, "dissociation_resolved": False}
    assert main(["discharge-check", "--input", _write(tmp_path, session)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "ready: no"
    assert lines[1].startswith("- dissociation_not_resolved: ")
    assert lines[-1] == f"instruction: {NO_DRIVING_INSTRUCTION}"


def test_text_output_for_a_ready_patient(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(SESSION)))
    assert main(["discharge-check", "--input", "-"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "ready: yes",
        f"instruction: {NO_DRIVING_INSTRUCTION}",
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "ketaclinic: error: --input: not valid JSON: Expecting value"),
        (
            json.dumps({**SESSION, "as_of": "2026-11-20T11:05:00"}),
            "ketaclinic: error: as_of: must carry a UTC offset",
        ),
        (
            json.dumps({**SESSION, "latest": {**SESSION["latest"], "moaas": 7}}),
            "ketaclinic: error: latest.moaas: must be between 0 and 5, got 7",
        ),
        (
            json.dumps({**SESSION, "route": "nasal"}),
            "ketaclinic: error: route: 'nasal' is not one of: iv, im, esketamine",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, expected: str
) -> None:
    assert main(["discharge-check", "--input", _write(tmp_path, content)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.splitlines()) == 1
    assert captured.err.startswith(expected)


def test_clinic_parameters_shorten_observation_for_iv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # IV, 09:00 -> 10:30 = 90 minutes: too early by default (120), ready with a 60-minute rule
    session = {**SESSION, "route": "iv", "as_of": "2026-11-20T10:30:00+01:00"}
    settings = tmp_path / "clinic.json"
    settings.write_text(json.dumps({"other_min_observation_minutes": 60}))
    path = _write(tmp_path, session)
    assert main(["discharge-check", "--input", path, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ready"] is False
    assert main(["discharge-check", "--input", path, "--parameters", str(settings), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ready"] is True
