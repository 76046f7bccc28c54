"""Strict parsing of monitoring inputs: every bad value names its field."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ketaclinic.clinical.exceptions import InvalidValue, MissingItem, OutOfRange, UnknownCode
from ketaclinic.clinical.monitoring import DischargeInput, PreDoseInput, VitalReading

CHECK: dict[str, Any] = {
    "bp_systolic": 120,
    "bp_diastolic": 80,
    "heart_rate": 72,
    "spo2": 98,
    "questionnaires_done": True,
    "last_food_minutes_ago": 180,
    "last_liquid_minutes_ago": 60,
    "escort_present": True,
}
SESSION: dict[str, Any] = {
    "route": "esketamine",
    "minutes_since_dose": 120,
    "baseline": {"bp_systolic": 130, "bp_diastolic": 80, "heart_rate": 70},
    "latest": {"bp_systolic": 140, "bp_diastolic": 85, "heart_rate": 80, "spo2": 97, "moaas": 5},
    "dissociation_resolved": True,
    "escort_confirmed": True,
}


@pytest.mark.parametrize("field", sorted(CHECK))
def test_each_pre_dose_field_is_required(field: str) -> None:
    with pytest.raises(MissingItem) as caught:
        PreDoseInput.from_dict({k: v for k, v in CHECK.items() if k != field})
    assert caught.value.field == field


def test_pre_dose_diastolic_must_be_below_systolic() -> None:
    with pytest.raises(InvalidValue) as caught:
        PreDoseInput.from_dict({**CHECK, "bp_diastolic": 125})
    assert caught.value.field == "bp_diastolic"


@pytest.mark.parametrize(
    ("change", "field", "error"),
    [
        ({"spo2": 101}, "spo2", OutOfRange),
        ({"escort_present": "yes"}, "escort_present", InvalidValue),
        ({"fasted": True}, "fasted", UnknownCode),
    ],
)
def test_a_bad_pre_dose_value_names_its_field(
    change: dict[str, Any], field: str, error: type[Exception]
) -> None:
    with pytest.raises(error) as caught:
        PreDoseInput.from_dict({**CHECK, **change})
    assert caught.value.field == field  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("change", "field", "error"),
    [
        ({"route": "nasal"}, "route", UnknownCode),
        ({"minutes_since_dose": -1}, "minutes_since_dose", OutOfRange),
        ({"minutes_since_dose": None}, "minutes_since_dose", MissingItem),
        (
            {"dose_started_at": "2026-11-20T09:00:00+01:00"},
            "minutes_since_dose",
            InvalidValue,
        ),
        (
            {"minutes_since_dose": None, "dose_started_at": "2026-11-20T09:00:00+01:00"},
            "as_of",
            MissingItem,
        ),
        (
            {
                "minutes_since_dose": None,
                "dose_started_at": "2026-11-20T09:00:00",
                "as_of": "2026-11-20T11:00:00+01:00",
            },
            "dose_started_at",
            InvalidValue,
        ),
        (
            {
                "minutes_since_dose": None,
                "dose_started_at": "yesterday",
                "as_of": "2026-11-20T11:00:00+01:00",
            },
            "dose_started_at",
            InvalidValue,
        ),
        (
            {
                "minutes_since_dose": None,
                "dose_started_at": 1700000000,
                "as_of": "2026-11-20T11:00:00+01:00",
            },
            "dose_started_at",
            InvalidValue,
        ),
        (
            {
                "minutes_since_dose": None,
                "dose_started_at": "2026-11-20T11:00:00+01:00",
                "as_of": "2026-11-20T10:00:00+01:00",
            },
            "as_of",
            InvalidValue,
        ),
        ({"baseline": None}, "baseline", MissingItem),
        ({"baseline": [130, 80]}, "baseline", InvalidValue),
        (
            {"baseline": {"bp_systolic": 130, "bp_diastolic": 80}},
            "baseline.heart_rate",
            MissingItem,
        ),
        (
            {"baseline": {"bp_systolic": 130, "bp_diastolic": 80, "heart_rate": 70, "x": 1}},
            "baseline.x",
            UnknownCode,
        ),
        (
            {"latest": {**SESSION["latest"], "bp_diastolic": 140}},
            "latest.bp_diastolic",
            InvalidValue,
        ),
        ({"latest": {**SESSION["latest"], "moaas": 6}}, "latest.moaas", OutOfRange),
        ({"cadss_total": 93}, "cadss_total", OutOfRange),
        ({"dissociation_resolved": 1}, "dissociation_resolved", InvalidValue),
    ],
)
def test_a_bad_discharge_value_names_its_field(
    change: dict[str, Any], field: str, error: type[Exception]
) -> None:
    with pytest.raises(error) as caught:
        DischargeInput.from_dict({**SESSION, **change})
    assert caught.value.field == field  # type: ignore[attr-defined]


def test_discharge_accepts_datetime_objects_as_well_as_text() -> None:
    cet = dt.timezone(dt.timedelta(hours=1))
    session = DischargeInput.from_dict(
        {
            **SESSION,
            "minutes_since_dose": None,
            "dose_started_at": dt.datetime(2026, 11, 20, 9, 0, tzinfo=cet),
            "as_of": dt.datetime(2026, 11, 20, 11, 30, tzinfo=cet),
        }
    )
    assert session.minutes_since_dose == 150


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        ({"bp_systolic": 150, "bp_diastolic": 90}, "readings[3].minute", MissingItem),
        (
            {"minute": 5, "taken_at": "2026-11-20T09:05:00+01:00"},
            "readings[3].taken_at",
            InvalidValue,
        ),
        ({"taken_at": "2026-11-20T09:05:00+01:00"}, "dose_started_at", MissingItem),
        ({"minute": 5, "bp_systolic": 150}, "readings[3].bp_diastolic", MissingItem),
        ({"minute": 5, "bp_diastolic": 90}, "readings[3].bp_systolic", MissingItem),
        ({"minute": 5, "spo2": 49}, "readings[3].spo2", OutOfRange),
        ({"minute": 1441}, "readings[3].minute", OutOfRange),
        ({"minute": 5, "temperature": 37}, "readings[3].temperature", UnknownCode),
        ("120/80", "readings[3]", InvalidValue),
    ],
)
def test_a_bad_reading_names_its_position_and_field(
    data: Any, field: str, error: type[Exception]
) -> None:
    with pytest.raises(error) as caught:
        VitalReading.from_dict(data, field="readings[3]")
    assert caught.value.field == field  # type: ignore[attr-defined]
