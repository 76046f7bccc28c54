"""``ketaclinic dose``: JSON contract, text, and every bad input."""

from __future__ import annotations

import json

import pytest

from ketaclinic.cli import main


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_dose_json_has_the_documented_keys_and_hand_worked_values(capsys) -> None:
    # 0.5 x 70 = 35 mg; 35 / 10 = 3.5 mL; 3.5 x 60 / 40 = 5.25 -> 5.2 mL/h.
    code, out, err = _run(
        capsys,
        "dose",
        "--route",
        "iv",
        "--weight-kg",
        "70",
        "--height-cm",
        "175",
        "--sex",
        "male",
        "--mg-per-kg",
        "0.5",
        "--concentration-mg-per-ml",
        "10",
        "--json",
    )
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert result == {
        "route": "iv",
        "dose_mg": 35,
        "weight_basis": "actual",
        "weight_used_kg": 70,
        "volume_ml": 3.5,
        "duration_min": 40,
        "rate_ml_per_h": 5.2,
        "capped": False,
        "warnings": [],
        "requested_dose_mg": 35,
        "devices": None,
        "rounding": ["rate rounded down from 5.25 to 5.2 mL/h: the infusion runs slightly longer"],
    }


def test_dose_on_adjusted_weight_with_a_custom_duration(capsys) -> None:
    # 120 kg, 180 cm man: adjusted 92.9953 kg (see doses.json); x 0.5 = 46.4976 -> 46 mg;
    # at 1 mg/mL = 46 mL over 60 min = 46 mL/h.
    code, out, _ = _run(
        capsys,
        "dose",
        "--route",
        "IV",
        "--weight-kg",
        "120",
        "--height-cm",
        "180",
        "--sex",
        "Male",
        "--weight-basis",
        "adjusted",
        "--mg-per-kg",
        "0.5",
        "--concentration-mg-per-ml",
        "1",
        "--duration-min",
        "60",
        "--json",
    )
    assert code == 0
    result = json.loads(out)
    assert (result["dose_mg"], result["volume_ml"], result["rate_ml_per_h"]) == (46, 46, 46)
    assert (result["weight_basis"], result["weight_used_kg"]) == ("adjusted", 93)


def test_esketamine_dose_reports_devices_and_the_cap(capsys) -> None:
    code, out, _ = _run(
        capsys, "dose", "--route", "esketamine", "--weight-kg", "70", "--dose-mg", "100", "--json"
    )
    assert code == 0
    result = json.loads(out)
    assert (result["dose_mg"], result["devices"], result["capped"]) == (84, 3, True)


def test_dose_text_lists_fields_rounding_and_warnings(capsys) -> None:
    code, out, _ = _run(
        capsys,
        "dose",
        "--route",
        "im",
        "--weight-kg",
        "70",
        "--mg-per-kg",
        "0.5",
        "--concentration-mg-per-ml",
        "100",
    )
    assert code == 0
    assert "dose_mg            30.0" in out
    assert "rounding: volume rounded down from 0.35 to 0.3 mL" in out
    assert "warning: rounding lowers the dose by 14%" in out
    assert "rate_ml_per_h      -" in out


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["--route", "iv", "--weight-kg", "abc", "--mg-per-kg", "0.5"], "weight_kg"),
        (["--route", "iv", "--weight-kg", "NaN", "--mg-per-kg", "0.5"], "weight_kg"),
        (["--route", "iv", "--weight-kg", "0", "--mg-per-kg", "0.5"], "weight_kg"),
        (["--route", "nasal", "--weight-kg", "70", "--mg-per-kg", "0.5"], "route"),
        (["--route", "iv", "--weight-kg", "70", "--sex", "x", "--mg-per-kg", "0.5"], "sex"),
        (
            ["--route", "iv", "--weight-kg", "70", "--weight-basis", "lean", "--mg-per-kg", "0.5"],
            "weight_basis",
        ),
        (
            ["--route", "iv", "--weight-kg", "70", "--height-cm", "tall", "--mg-per-kg", "0.5"],
            "height_cm",
        ),
        (["--route", "iv", "--weight-kg", "70", "--mg-per-kg", "half"], "mg_per_kg"),
        (["--route", "oral", "--weight-kg", "70", "--dose-mg", "-5"], "dose_mg"),
        (
            [
                "--route",
                "iv",
                "--weight-kg",
                "70",
                "--mg-per-kg",
                "0.5",
                "--concentration-mg-per-ml",
                "Infinity",
            ],
            "concentration_mg_per_ml",
        ),
        (
            ["--route", "iv", "--weight-kg", "70", "--mg-per-kg", "0.5", "--duration-min", "4.5"],
            "duration_min",
        ),
        (
            ["--route", "im", "--weight-kg", "70", "--mg-per-kg", "0.5", "--duration-min", "5"],
            "duration_min",
        ),
        (["--route", "iv", "--weight-kg", "70"], "mg_per_kg"),
        (
            [
                "--route",
                "iv",
                "--weight-kg",
                "70",
                "--weight-basis",
                "ideal",
                "--sex",
                "male",
                "--mg-per-kg",
                "0.5",
            ],
            "height_cm",
        ),
        (["--route", "esketamine", "--weight-kg", "70", "--mg-per-kg", "0.8"], "mg_per_kg"),
    ],
)
def test_bad_dose_input_is_one_line_naming_the_field_and_exit_2(capsys, argv, field) -> None:
    code, out, err = _run(capsys, "dose", *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"ketaclinic: error: {field}: ")


@pytest.mark.parametrize(
    "argv",
    [
        ["--route", "iv", "--mg-per-kg", "0.5"],
        ["--route", "iv", "--weight-kg", "70", "--mg-per-kg", "0.5", "--dose-mg", "35"],
    ],
)
def test_missing_weight_or_two_amounts_are_usage_errors(capsys, argv) -> None:
    code, out, err = _run(capsys, "dose", *argv)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1


def test_a_high_bmi_without_sex_exits_2_naming_the_sex_option(capsys) -> None:
    # 150 kg, 160 cm: BMI 150 / 1.6² = 58.6 > 30. On actual weight 0.5 mg/kg would be 75 mg;
    # adjusted weight gives 45-47 mg. No dose is printed: the option is asked for.
    code, out, err = _run(
        capsys,
        "dose",
        "--route",
        "iv",
        "--weight-kg",
        "150",
        "--height-cm",
        "160",
        "--mg-per-kg",
        "0.5",
    )
    assert (code, out) == (2, "")
    assert err.startswith("ketaclinic: error: --sex: BMI 58.6 is above")
    assert err.rstrip().endswith("give --sex female or --sex male")
    assert err.count("\n") == 1


def test_the_same_patient_with_sex_is_dosed_on_adjusted_weight(capsys) -> None:
    code, out, err = _run(
        capsys,
        "dose",
        "--route",
        "iv",
        "--weight-kg",
        "150",
        "--height-cm",
        "160",
        "--sex",
        "female",
        "--mg-per-kg",
        "0.5",
        "--json",
    )
    assert (code, err) == (0, "")
    result = json.loads(out)
    # Devine IBW female 160 cm: 45.5 + 2.3 x (62.99 - 60) = 52.4; ABW = 52.4 + 0.4 x 97.6 = 91.5.
    assert result["weight_basis"] == "adjusted"
    assert 45 <= float(result["dose_mg"]) <= 46


@pytest.mark.parametrize(
    ("label", "age", "warned"),
    [
        # US label: day 1 is 56 mg at every adult age; 28 mg is never a label dose.
        ("us", "70", True),
        # EU/UK SmPC: 65 and over starts at 28 mg, then 28, 56 or 84 mg.
        ("eu", "65", False),
        ("eu", "64", True),
    ],
)
def test_28_mg_of_esketamine_is_a_label_dose_at_65_under_the_eu_smpc(capsys, label, age, warned):
    code, out, err = _run(
        capsys,
        "dose",
        "--route",
        "esketamine",
        "--weight-kg",
        "70",
        "--dose-mg",
        "28",
        "--label",
        label,
        "--age-years",
        age,
        "--json",
    )
    assert (code, err) == (0, "")
    warnings = json.loads(out)["warnings"]
    assert any("not a label dose" in w for w in warnings) is warned


def test_an_unknown_label_exits_2_naming_it(capsys) -> None:
    code, _, err = _run(
        capsys,
        "dose",
        "--route",
        "esketamine",
        "--weight-kg",
        "70",
        "--dose-mg",
        "56",
        "--label",
        "ch",
    )
    assert code == 2
    assert err.startswith("ketaclinic: error: label:")
