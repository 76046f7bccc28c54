"""The instrument each indication is judged on, and a course judged on it end to end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from ketaclinic.clinical.exceptions import UnknownCode
from ketaclinic.clinical.outcomes import (
    INDICATION_INSTRUMENTS,
    MEASURES_THE_CONDITION,
    CourseRecord,
    Indication,
    OutcomeDefinition,
    ScoredAssessment,
    assess_course,
    primary_instrument_for,
)
from ketaclinic.clinical.scales import INSTRUMENTS
from ketaclinic.clinical.sources import SOURCES

FIRST = datetime(2026, 3, 2, 9, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.mark.parametrize(
    ("indication", "with_baseline", "expected"),
    [
        ("trd", (), "phq9"),
        ("trd", ("madrs",), "madrs"),  # a MADRS-rated clinic is judged on MADRS
        ("trd", ("qids_sr16", "phq9"), "phq9"),  # PHQ-9 first when both exist
        ("mdd_suicidal_ideation", ("qids_sr16",), "qids_sr16"),
        ("bipolar_depression", (), "phq9"),
        ("ptsd", ("phq9", "pcl5"), "pcl5"),  # a PTSD course is judged on PCL-5
        ("ptsd", ("phq9",), "pcl5"),  # ... even without a PCL-5 baseline (not evaluable)
        ("anxiety", ("phq9", "gad7"), "gad7"),
        ("chronic_pain", ("phq9", "peg"), "peg"),
        ("ocd", ("phq9",), "phq9"),
        ("substance_use_disorder", (), "phq9"),
        ("other", (), "phq9"),
        ("", ("madrs",), "madrs"),  # planned before indications were recorded
    ],
)
def test_each_indication_is_judged_on_its_own_instrument(indication, with_baseline, expected):
    assert primary_instrument_for(indication, with_baseline) == expected


def test_an_unknown_indication_is_refused_naming_the_field():
    with pytest.raises(UnknownCode) as caught:
        primary_instrument_for("depression")
    assert caught.value.field == "indication"


def test_every_indication_has_instruments_that_exist_and_are_sourced():
    assert set(INDICATION_INSTRUMENTS) == set(Indication)
    for instruments in INDICATION_INSTRUMENTS.values():
        for name in instruments:
            assert INSTRUMENTS[name].outcome is not None, name
            assert all(key in SOURCES for key in INSTRUMENTS[name].outcome.sources)


def test_the_indications_without_a_measure_of_their_own_are_named():
    assert [i for i, measured in MEASURES_THE_CONDITION.items() if not measured] == [
        Indication.OCD,
        Indication.SUBSTANCE_USE_DISORDER,
        Indication.OTHER,
    ]


DEFINITIONS = {
    "phq9": OutcomeDefinition("phq9", 5, False, max_total=27),
    "pcl5": OutcomeDefinition("pcl5", 32, True, response_points=10, max_total=80),
    "peg": OutcomeDefinition("peg", None, response_fraction=Decimal("0.3")),
}


def test_a_ptsd_course_responds_on_pcl5_not_on_phq9():
    # PHQ-9 20 -> 8 would be a response; the PTSD course's PCL-5 50 -> 44 is a 6-point fall:
    # no response (needs 10). Judged on PCL-5: no response, no remission (44 > 32).
    scores = [
        ScoredAssessment("phq9", 20, FIRST - DAY),
        ScoredAssessment("pcl5", 50, FIRST - DAY),
        ScoredAssessment("phq9", 8, FIRST + 15 * DAY),
        ScoredAssessment("pcl5", 44, FIRST + 15 * DAY),
    ]
    instrument = primary_instrument_for("ptsd", {"phq9", "pcl5"})
    outcome = assess_course(
        CourseRecord(FIRST, 6, FIRST + 14 * DAY),
        scores,
        DEFINITIONS,
        instrument,
        as_of=FIRST + 30 * DAY,
    )
    assert outcome.primary_instrument == "pcl5"
    assert (outcome.response.met, outcome.response.evaluable) == (False, True)
    assert outcome.remission.met is False


def test_a_pain_course_on_the_peg_has_a_response_and_no_remission():
    # PEG sum 24 -> 16: a fall of 8/24 = 33% >= 30%: response; remission never judged.
    scores = [
        ScoredAssessment("peg", 24, FIRST - DAY),
        ScoredAssessment("peg", 16, FIRST + 15 * DAY),
    ]
    outcome = assess_course(
        CourseRecord(FIRST, 6, FIRST + 14 * DAY),
        scores,
        DEFINITIONS,
        "peg",
        as_of=FIRST + 30 * DAY,
    )
    assert outcome.response.met is True
    assert (outcome.remission.met, outcome.remission.evaluable) == (False, False)
    assert outcome.remission.rule == "not evaluable: peg has no published remission"
    assert DEFINITIONS["peg"].remits(0) is False
