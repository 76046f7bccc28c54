"""Worked monitoring cases from their sources (tests/clinical/cases/monitoring/*.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ketaclinic.clinical.monitoring import (
    NO_DRIVING_INSTRUCTION,
    DischargeInput,
    PreDoseInput,
    VitalReading,
    assess_vitals,
    discharge_readiness,
    pre_dose_check,
)
from ketaclinic.clinical.sources import SOURCES

CASES = Path(__file__).parents[1] / "cases" / "monitoring"


def _load(name: str) -> dict[str, Any]:
    return json.loads((CASES / name).read_text(encoding="utf-8"))


PREDOSE = _load("predose.json")
INSESSION = _load("insession.json")
DISCHARGE = _load("discharge.json")


def _ids(cases: list[dict[str, Any]]) -> list[str]:
    return [case["name"] for case in cases]


@pytest.mark.parametrize("document", [PREDOSE, INSESSION, DISCHARGE])
def test_every_case_file_cites_its_source_first(document: dict[str, Any]) -> None:
    assert next(iter(document)) == "source"
    assert len(document["source"]) > 40


@pytest.mark.parametrize("case", PREDOSE["cases"], ids=_ids(PREDOSE["cases"]))
def test_pre_dose_case_gives_the_hand_worked_decision(case: dict[str, Any]) -> None:
    result = pre_dose_check(PreDoseInput.from_dict({**PREDOSE["base_check"], **case["change"]}))
    assert result.decision == case["decision"]
    assert [reason.code for reason in result.reasons] == case["reasons"]
    assert all(reason.source in SOURCES for reason in result.reasons)


@pytest.mark.parametrize("case", INSESSION["cases"], ids=_ids(INSESSION["cases"]))
def test_in_session_case_gives_the_hand_worked_action(case: dict[str, Any]) -> None:
    readings = [
        VitalReading.from_dict(reading, field=f"readings[{index}]")
        for index, reading in enumerate(case["readings"])
    ]
    result = assess_vitals(readings)
    assert result.action == case["action"]
    assert result.call_prescriber is case["call_prescriber"]
    assert result.adverse_event is case["adverse_event"]
    assert [alert.code for alert in result.alerts] == case["alerts"]
    assert all(alert.source in SOURCES for alert in result.alerts)


@pytest.mark.parametrize("case", DISCHARGE["cases"], ids=_ids(DISCHARGE["cases"]))
def test_discharge_case_gives_the_hand_worked_readiness(case: dict[str, Any]) -> None:
    session = DischargeInput.from_dict({**DISCHARGE["base_session"], **case["change"]})
    result = discharge_readiness(session)
    assert result.ready is case["ready"]
    assert [reason.code for reason in result.reasons] == case["reasons"]
    assert all(reason.source in SOURCES for reason in result.reasons)
    assert result.instructions == (NO_DRIVING_INSTRUCTION,)
