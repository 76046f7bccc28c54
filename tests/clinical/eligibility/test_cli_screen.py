"""``ketaclinic screen``: the JSON contract, readable text, and one-line errors (exit 2)."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from ketaclinic.cli import main
from ketaclinic.clinical.eligibility import RULES_VERSION

PATIENT: dict[str, Any] = {
    "age": 44,
    "sex": "female",
    "pregnant": False,
    "breastfeeding": False,
    "weight_kg": 70.5,
    "height_cm": 165,
    "bp_systolic": 138,
    "bp_diastolic": 88,
    "heart_rate": 76,
    "route": "iv",
    "setting": "clinic",
    "conditions": ["psychosis_history"],
    "medications": ["sertraline", "lorazepam"],
}


def _write(tmp_path: Path, value: Any) -> str:
    path = tmp_path / "patient.json"
    path.write_text(value if isinstance(value, str) else json.dumps(value), encoding="utf-8")
    return str(path)


def _error_line(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1
    return lines[0]


def test_screen_json_prints_the_documented_contract(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["screen", "--input", _write(tmp_path, PATIENT), "--json"]) == 0
    output = json.loads(capsys.readouterr().out)
    assert set(output) == {"decision", "findings", "rules_version"}
    assert output["decision"] == "review"
    assert output["rules_version"] == RULES_VERSION
    assert [set(finding) for finding in output["findings"]] == [
        {"code", "level", "message", "source"}
    ] * 2
    assert [(f["code"], f["level"], f["source"]) for f in output["findings"]] == [
        ("psychosis_history", "review", "screen.sanacora-2017"),
        ("medication_benzodiazepine", "caution", "screen.andrashko-2020-benzodiazepines"),
    ]


def test_screen_text_shows_the_decision_each_finding_and_its_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["screen", "--input", _write(tmp_path, PATIENT)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"decision: review (rules {RULES_VERSION})\n")
    assert "psychosis_history" in out
    assert "- medication_benzodiazepine: lorazepam (benzodiazepine)" in out


def test_screen_text_says_so_when_there_are_no_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    patient = {**PATIENT, "conditions": [], "medications": []}
    assert main(["screen", "--input", _write(tmp_path, patient)]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "no findings"


def test_screen_reads_standard_input_when_the_file_is_a_dash(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(PATIENT)))
    assert main(["screen", "--input", "-", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["decision"] == "review"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "ketaclinic: error: --input: not valid JSON: Expecting property name"),
        ('{"age": NaN}', "ketaclinic: error: --input: not valid JSON: NaN is not a number"),
        ("[1, 2]", "ketaclinic: error: input: must be a JSON object"),
        (
            json.dumps({**PATIENT, "conditions": ["psychosis_history", "mania_current", "x"]}),
            "ketaclinic: error: conditions[2]: 'x' is not a documented condition code",
        ),
        (json.dumps({**PATIENT, "age": "44"}), "ketaclinic: error: age: must be a whole number"),
        (json.dumps({**PATIENT, "weight": 70}), "ketaclinic: error: weight: is not a recognised"),
        (
            json.dumps({k: v for k, v in PATIENT.items() if k != "route"}),
            "ketaclinic: error: route: is required",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, expected: str
) -> None:
    assert main(["screen", "--input", _write(tmp_path, content)]) == 2
    assert _error_line(capsys).startswith(expected)


def test_an_unreadable_file_names_the_input_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "absent.json"
    assert main(["screen", "--input", str(missing)]) == 2
    assert _error_line(capsys) == (
        f"ketaclinic: error: --input: cannot read '{missing}': No such file or directory"
    )


def test_a_file_that_is_not_utf8_text_names_the_input_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "binary.json"
    path.write_bytes(b"\xff\xfe\x00")
    assert main(["screen", "--input", str(path)]) == 2
    assert _error_line(capsys).startswith("ketaclinic: error: --input: cannot read")


def test_a_missing_input_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["screen"]) == 2
    assert "--input" in _error_line(capsys)


def test_clinic_parameters_change_the_decision(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = tmp_path / "clinic.json"
    settings.write_text(json.dumps({"levels": {"psychosis_history": "contraindicated"}}))
    argv = ["screen", "--input", _write(tmp_path, PATIENT), "--json"]
    assert main([*argv, "--parameters", str(settings)]) == 0
    assert json.loads(capsys.readouterr().out)["decision"] == "ineligible"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{", "ketaclinic: error: --parameters: not valid JSON"),
        ('{"levels": {"x": "review"}}', "ketaclinic: error: levels.x: is not a recognised field"),
    ],
)
def test_bad_clinic_parameters_exit_2_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, expected: str
) -> None:
    settings = tmp_path / "clinic.json"
    settings.write_text(content)
    argv = ["screen", "--input", _write(tmp_path, PATIENT), "--parameters", str(settings)]
    assert main(argv) == 2
    assert _error_line(capsys).startswith(expected)
