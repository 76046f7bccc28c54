"""Every instrument against its hand-worked cases (tests/clinical/cases/scales/<scale>.json).

The expected values in the JSON were worked out by hand from each source; the arithmetic
sits next to every case.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ketaclinic.clinical import exceptions
from ketaclinic.clinical.scales import INSTRUMENTS, outcome, score

CASES_DIR = Path(__file__).resolve().parents[1] / "cases" / "scales"


def _load(scale_id: str) -> dict[str, Any]:
    return json.loads((CASES_DIR / f"{scale_id}.json").read_text(encoding="utf-8"))


def _params(section: str) -> list[Any]:
    params = []
    for scale_id in INSTRUMENTS:
        for case in _load(scale_id).get(section, []):
            name = case.get("name") or f"{case['baseline']}->{case['current']}"
            params.append(pytest.param(scale_id, case, id=f"{scale_id}: {name}"))
    return params


def test_every_instrument_has_a_case_file_that_cites_its_source() -> None:
    for scale_id in INSTRUMENTS:
        data = _load(scale_id)
        assert data["source"].strip(), scale_id
        assert data["cases"], scale_id
        assert data["invalid"], scale_id


@pytest.mark.parametrize(("scale_id", "case"), _params("cases"))
def test_scoring_matches_the_hand_worked_case(scale_id: str, case: dict[str, Any]) -> None:
    result = score(scale_id, case["answers"])
    assert result.scale == scale_id
    assert result.total == case["total"]
    assert result.band == case["band"]
    assert [[f.code, f.item, f.level.value] for f in result.flags] == case["flags"]
    if "subscores" in case:
        assert dict(result.subscores) == case["subscores"]
    if "indicators" in case:
        assert dict(result.indicators) == case["indicators"]
    for key, value in case.get("recorded", {}).items():
        assert result.answers[key] == value


@pytest.mark.parametrize(("scale_id", "case"), _params("invalid"))
def test_invalid_answers_are_refused_naming_the_item(scale_id: str, case: dict[str, Any]) -> None:
    error_class = getattr(exceptions, case["error"])
    with pytest.raises(error_class) as caught:
        score(scale_id, case["answers"])
    assert caught.value.field == case["field"]
    assert str(caught.value).startswith(f"{case['field']}: ")


@pytest.mark.parametrize(("scale_id", "case"), _params("outcomes"))
def test_outcome_matches_the_published_definitions(scale_id: str, case: dict[str, Any]) -> None:
    result = outcome(scale_id, case["baseline"], case["current"])
    assert result.change == case["change"]
    expected_percent = case["percent_change"]
    assert result.percent_change == (
        None if expected_percent is None else Decimal(expected_percent)
    )
    assert result.response is case["response"]
    assert result.remission is case["remission"]
    assert set(result.definitions) == {"response", "remission"}


@pytest.mark.parametrize(("scale_id", "case"), _params("invalid_outcomes"))
def test_outcome_refuses_impossible_totals(scale_id: str, case: dict[str, Any]) -> None:
    with pytest.raises(getattr(exceptions, case["error"])) as caught:
        outcome(scale_id, case["baseline"], case["current"])
    assert caught.value.field == case["field"]


@pytest.mark.parametrize(
    "scale_id", [scale_id for scale_id in INSTRUMENTS if _load(scale_id).get("no_outcome")]
)
def test_instruments_without_published_definitions_refuse_an_outcome(scale_id: str) -> None:
    with pytest.raises(exceptions.InvalidValue) as caught:
        outcome(scale_id, 1, 0)
    assert caught.value.field == "scale"
    assert "no published response or remission definition" in caught.value.message


def test_every_instrument_either_has_outcome_cases_or_refuses_outcomes() -> None:
    for scale_id, instrument in INSTRUMENTS.items():
        data = _load(scale_id)
        if instrument.outcome is None:
            assert data.get("no_outcome") is True, scale_id
        else:
            assert data.get("outcomes"), scale_id
