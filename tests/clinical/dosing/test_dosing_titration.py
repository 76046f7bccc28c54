"""Response-guided titration on the KADS ladder 0.5 -> 0.6 -> 0.75 -> 0.9 mg/kg."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ketaclinic.clinical.exceptions import ConfigurationError, OutOfRange
from ketaclinic.clinical.titration import (
    KADS_STEPS_MG_PER_KG,
    TitrationAction,
    improvement_fraction,
    propose_titration,
)

D = Decimal


@pytest.mark.parametrize(
    ("current", "improvement", "action", "next_dose"),
    [
        (D("0.5"), D("0.3"), TitrationAction.ESCALATE, D("0.6")),
        (D("0.5"), D("0.49"), TitrationAction.ESCALATE, D("0.6")),  # just under 50%
        (D("0.5"), D("0.5"), TitrationAction.HOLD, D("0.5")),  # exactly 50%: response
        (D("0.6"), D("0.1"), TitrationAction.ESCALATE, D("0.75")),
        (D("0.75"), D("-0.2"), TitrationAction.ESCALATE, D("0.9")),  # worse: still steps up
        (D("0.9"), D("0.2"), TitrationAction.HOLD, D("0.9")),  # top of the ladder
        (D("0.55"), D("0"), TitrationAction.ESCALATE, D("0.6")),  # between steps
        (D("0.75"), D("0.8"), TitrationAction.HOLD, D("0.75")),
    ],
)
def test_the_dose_steps_up_only_while_improvement_is_under_half(
    current: Decimal, improvement: Decimal, action: TitrationAction, next_dose: Decimal
) -> None:
    proposal = propose_titration(current, improvement)
    assert (proposal.action, proposal.next_mg_per_kg) == (action, next_dose)
    assert proposal.current_mg_per_kg == current
    assert proposal.source_key == "dose.kads-2023"


def test_the_reason_states_the_improvement() -> None:
    assert "30%, under 50%" in propose_titration(D("0.5"), D("0.3")).reason
    assert "at the highest step" in propose_titration(D("0.9"), D("0.2")).reason


def test_a_dose_that_is_not_tolerated_steps_down() -> None:
    proposal = propose_titration(D("0.75"), D("0.1"), tolerated=False)
    assert (proposal.action, proposal.next_mg_per_kg) == (TitrationAction.REDUCE, D("0.6"))


def test_not_tolerated_at_the_lowest_step_holds_for_review() -> None:
    proposal = propose_titration(D("0.5"), D("0.1"), tolerated=False)
    assert (proposal.action, proposal.next_mg_per_kg) == (TitrationAction.HOLD, D("0.5"))
    assert "review" in proposal.reason


def test_a_clinic_ladder_and_response_line_can_be_passed_in() -> None:
    proposal = propose_titration(
        D("0.5"), D("0.55"), steps=(D("0.5"), D("1.0")), response_threshold=D("0.6")
    )
    assert proposal.next_mg_per_kg == D("1.0")


def test_the_kads_ladder_is_the_default() -> None:
    assert (D("0.5"), D("0.6"), D("0.75"), D("0.9")) == KADS_STEPS_MG_PER_KG


@pytest.mark.parametrize(
    ("current", "improvement", "field"),
    [(D("0"), D("0.1"), "current_mg_per_kg"), (D("0.5"), D("1.01"), "improvement")],
)
def test_impossible_inputs_name_their_field(
    current: Decimal, improvement: Decimal, field: str
) -> None:
    with pytest.raises(OutOfRange) as caught:
        propose_titration(current, improvement)
    assert caught.value.field == field


def test_improvement_is_the_share_of_the_baseline_score_lost() -> None:
    # MADRS 30 -> 15: (30 - 15) / 30 = 0.5; 30 -> 16: 14 / 30 = 0.4667 (under 50%).
    assert improvement_fraction(D("30"), D("15")) == D("0.5")
    assert improvement_fraction(D("30"), D("16")) < D("0.5")


@pytest.mark.parametrize(
    ("baseline", "current", "field"),
    [(D("0"), D("0"), "baseline_score"), (D("30"), D("-1"), "current_score")],
)
def test_improvement_needs_a_positive_baseline_and_a_real_score(
    baseline: Decimal, current: Decimal, field: str
) -> None:
    with pytest.raises(OutOfRange) as caught:
        improvement_fraction(baseline, current)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("steps", "threshold"),
    [
        ((), D("0.5")),
        ((D("0"), D("0.5")), D("0.5")),
        ((D("0.6"), D("0.5")), D("0.5")),
        ((D("0.5"), D("0.5")), D("0.5")),
        (KADS_STEPS_MG_PER_KG, D("0")),
        (KADS_STEPS_MG_PER_KG, D("1.5")),
    ],
)
def test_a_ladder_that_does_not_climb_is_a_configuration_error(steps, threshold) -> None:
    with pytest.raises(ConfigurationError):
        propose_titration(D("0.5"), D("0.1"), steps=steps, response_threshold=threshold)
