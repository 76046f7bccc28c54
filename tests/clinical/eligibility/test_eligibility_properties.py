"""Properties that hold for every patient: the decision follows the worst finding, and more
risk never makes a patient more eligible."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ketaclinic.clinical.eligibility import (
    Condition,
    Decision,
    Level,
    ScreeningInput,
    Setting,
    screen,
)

_DECISION_RANK = {Decision.ELIGIBLE: 1, Decision.REVIEW: 2, Decision.INELIGIBLE: 3}
_DRUGS = ["phenelzine", "modafinil", "lorazepam", "lamotrigine", "tramadol", "zolpidem", "x"]

patients = st.fixed_dictionaries(
    {
        "age": st.integers(min_value=10, max_value=90),
        "sex": st.sampled_from(["female", "male"]),
        "pregnant": st.booleans(),
        "breastfeeding": st.booleans(),
        "weight_kg": st.integers(min_value=40, max_value=180),
        "height_cm": st.integers(min_value=145, max_value=205),
        "bp_systolic": st.integers(min_value=100, max_value=220),
        "bp_diastolic": st.integers(min_value=50, max_value=99),
        "heart_rate": st.integers(min_value=40, max_value=140),
        "route": st.sampled_from(["iv", "im", "esketamine", "sublingual", "oral"]),
        "setting": st.sampled_from(["clinic", "home"]),
        "responsible_adult_at_home": st.booleans(),
        "conditions": st.lists(st.sampled_from([c.value for c in Condition]), unique=True),
        "medications": st.lists(st.sampled_from(_DRUGS), unique=True),
    }
)


def _worst(result: Any) -> int:
    return max((finding.level.rank for finding in result.findings), default=0)


@settings(max_examples=150, deadline=None)
@given(patients)
def test_the_decision_always_matches_the_worst_finding(data: dict[str, Any]) -> None:
    result = screen(ScreeningInput.from_dict(data))
    worst = _worst(result)
    if worst == Level.CONTRAINDICATED.rank:
        assert result.decision is Decision.INELIGIBLE
    elif worst == Level.REVIEW.rank:
        assert result.decision is Decision.REVIEW
    else:
        assert result.decision is Decision.ELIGIBLE


@settings(max_examples=150, deadline=None)
@given(patients, st.sampled_from([c.value for c in Condition]))
def test_adding_a_condition_never_makes_a_patient_more_eligible(
    data: dict[str, Any], extra: str
) -> None:
    before = screen(ScreeningInput.from_dict(data))
    more = {**data, "conditions": sorted({*data["conditions"], extra})}
    after = screen(ScreeningInput.from_dict(more))
    assert _DECISION_RANK[after.decision] >= _DECISION_RANK[before.decision]
    assert {f.code for f in before.findings} <= {f.code for f in after.findings}


@settings(max_examples=100, deadline=None)
@given(patients)
def test_home_is_never_more_permissive_than_clinic(data: dict[str, Any]) -> None:
    clinic = screen(ScreeningInput.from_dict({**data, "setting": Setting.CLINIC.value}))
    home = screen(ScreeningInput.from_dict({**data, "setting": Setting.HOME.value}))
    assert _DECISION_RANK[home.decision] >= _DECISION_RANK[clinic.decision]
