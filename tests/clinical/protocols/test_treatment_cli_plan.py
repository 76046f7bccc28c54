"""``ketaclinic protocols`` and ``ketaclinic plan``: JSON contract, text, and bad input."""

from __future__ import annotations

import json

import pytest

from ketaclinic.cli import main


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_protocols_json_lists_every_template_with_sources(capsys) -> None:
    code, out, err = _run(capsys, "protocols", "--json")
    assert (code, err) == (0, "")
    listed = json.loads(out)
    assert [p["id"] for p in listed][:2] == ["iv-depression-induction", "iv-maintenance-canbind"]
    induction = listed[0]
    assert induction["route"] == "iv"
    assert induction["variants"][0]["phases"][0] == {
        "name": "induction",
        "sessions": 6,
        "cadence": "3 times weekly",
        "min_gap_days": 2,
        "max_gap_days": 7,
        "window_days": 21,
        "dose": "0.5 mg/kg over 40 min",
        "first_dose": None,
    }
    assert "protocol.shiroma-2014" in induction["sources"]
    assert induction["unverified"]
    trd = next(p for p in listed if p["id"] == "esketamine-trd")
    assert trd["variants"][0]["phases"][0]["first_dose"] == "56 mg"


def test_protocols_text_is_a_table(capsys) -> None:
    code, out, _ = _run(capsys, "protocols")
    assert code == 0
    assert out.splitlines()[0].split() == ["id", "route", "setting", "variants", "title"]
    assert "kap" in out


def test_plan_json_is_the_documented_shape(capsys) -> None:
    code, out, err = _run(
        capsys,
        "plan",
        "--protocol",
        "iv-depression-induction",
        "--start",
        "2026-12-21",
        "--holiday",
        "2026-12-25",
        "--holiday",
        "2027-01-01",
        "--json",
    )
    assert (code, err) == (0, "")
    plan = json.loads(out)
    assert plan["protocol"] == "iv-depression-induction"
    assert plan["variant"] == "thrice-weekly"
    # Hand-worked in cases/protocols/schedules.json (Christmas and New Year case).
    assert [s["date"] for s in plan["sessions"]] == [
        "2026-12-21",
        "2026-12-23",
        "2026-12-28",
        "2026-12-30",
        "2027-01-04",
        "2027-01-06",
    ]
    assert plan["sessions"][0] == {
        "number": 1,
        "date": "2026-12-21",
        "phase": "induction",
        "dose": "0.5 mg/kg over 40 min",
    }


def test_plan_respects_open_days_and_variant(capsys) -> None:
    code, out, _ = _run(
        capsys,
        "plan",
        "--protocol",
        "iv-depression-induction",
        "--variant",
        "twice-weekly",
        "--start",
        "2026-01-05",
        "--open-days",
        "mon,thu",
        "--json",
    )
    assert code == 0
    # Mon Jan 5; target Fri Jan 9 (day 4) -> Thu Jan 8 (-1); day 7 Mon Jan 12; day 11
    # Fri Jan 16 -> Thu Jan 15; Mon Jan 19; Thu Jan 22 (day 18 Fri Jan 23 -> Thu).
    assert [s["date"] for s in json.loads(out)["sessions"]] == [
        "2026-01-05",
        "2026-01-08",
        "2026-01-12",
        "2026-01-15",
        "2026-01-19",
        "2026-01-22",
    ]


def test_plan_sessions_without_ketamine_have_a_null_dose(capsys) -> None:
    code, out, _ = _run(capsys, "plan", "--protocol", "kap", "--start", "2026-01-05", "--json")
    assert code == 0
    assert json.loads(out)["sessions"][0]["dose"] is None


def test_plan_text_shows_moved_sessions(capsys) -> None:
    code, out, _ = _run(capsys, "plan", "--protocol", "kap", "--start", "2026-01-03")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("kap (standard): ")
    assert "2026-01-05  Mon  preparation  -" in out
    assert "+2 d" in out  # Saturday start moved to Monday


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["--protocol", "iv-forever", "--start", "2026-01-05"], "protocol"),
        (["--protocol", "kap", "--start", "2026-13-01"], "start"),
        (
            [
                "--protocol",
                "kap",
                "--start",
                "2026-01-05",
                "--holiday",
                "2026-12-25",
                "--holiday",
                "25/12/2026",
            ],
            "holiday[1]",
        ),
        (
            ["--protocol", "kap", "--start", "2026-01-05", "--open-days", "mon,someday"],
            "open_days[1]",
        ),
        (["--protocol", "kap", "--start", "2026-01-05", "--open-days", ","], "open_days"),
        (["--protocol", "kap", "--start", "2026-01-05", "--variant", "fast"], "variant"),
        (
            [
                "--protocol",
                "iv-depression-induction",
                "--start",
                "2026-01-05",
                "--open-days",
                "mon",
            ],
            "calendar",
        ),
    ],
)
def test_bad_plan_input_is_one_line_naming_the_field_and_exit_2(capsys, argv, field) -> None:
    code, out, err = _run(capsys, "plan", *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"ketaclinic: error: {field}: ")


def test_plan_without_a_protocol_is_a_usage_error(capsys) -> None:
    code, _, err = _run(capsys, "plan", "--start", "2026-01-05")
    assert code == 2
    assert err.count("\n") == 1
    assert "--protocol" in err
