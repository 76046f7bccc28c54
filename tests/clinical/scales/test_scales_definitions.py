"""The instrument definitions are internally consistent and every number cites a source."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from ketaclinic.clinical.exceptions import ConfigurationError, UnknownCode
from ketaclinic.clinical.scales import (
    INSTRUMENTS,
    FlagLevel,
    ScoringRule,
    alert_rules,
    describe,
    get_scale,
    list_scales,
)
from ketaclinic.clinical.scales.instrument import OutcomeDefinition
from ketaclinic.clinical.sources import SOURCES

EXPECTED_IDS = [
    "phq9",
    "gad7",
    "pcl5",
    "qids_sr16",
    "madrs",
    "cssrs_screen",
    "cadss",
    "moaas",
    "pain_nrs",
    "peg",  # issue 15: the pain measure outcomes judge chronic-pain courses on
    "audit",
    "mood_nrs",
    "anxiety_nrs",
]


def test_the_registry_lists_every_instrument_of_issue_three_in_order() -> None:
    assert [instrument.id for instrument in list_scales()] == EXPECTED_IDS


def test_get_scale_returns_the_instrument_and_refuses_unknown_ids() -> None:
    assert get_scale("phq9").title.startswith("Patient Health Questionnaire")
    with pytest.raises(UnknownCode) as caught:
        get_scale("phq10")
    assert caught.value.field == "scale"
    assert "phq9" in caught.value.message


def test_an_unhashable_scale_id_is_an_unknown_code_not_a_crash() -> None:
    with pytest.raises(UnknownCode):
        get_scale(["phq9"])  # type: ignore[arg-type]


@pytest.mark.parametrize("instrument", list_scales(), ids=lambda i: i.id)
def test_items_are_numbered_in_order_with_unique_keys(instrument) -> None:
    assert [item.number for item in instrument.items] == list(range(1, len(instrument.items) + 1))
    keys = [item.key for item in instrument.items]
    assert len(set(keys)) == len(keys)
    for item in instrument.items:
        assert item.options, item.key
        assert len(set(item.values)) == len(item.values), item.key


@pytest.mark.parametrize("instrument", list_scales(), ids=lambda i: i.id)
def test_bands_cover_every_total_exactly_once(instrument) -> None:
    if not instrument.bands:
        return
    covered = [total for band in instrument.bands for total in range(band.low, band.high + 1)]
    assert covered == list(range(0, instrument.max_total + 1))


@pytest.mark.parametrize("instrument", list_scales(), ids=lambda i: i.id)
def test_every_source_key_is_registered(instrument) -> None:
    keys = list(instrument.sources)
    keys += [cutoff.source for cutoff in instrument.cutoffs]
    keys += [rule.source for rule in instrument.safety_rules]
    keys += [rule.source for rule in instrument.symptom_rules]
    if instrument.outcome is not None:
        keys += list(instrument.outcome.sources)
    for key in keys:
        assert key in SOURCES, key
    assert instrument.licence.strip()


@pytest.mark.parametrize("instrument", list_scales(), ids=lambda i: i.id)
def test_rules_only_name_items_that_exist(instrument) -> None:
    keys = {item.key for item in instrument.items}
    named = [rule.item for rule in instrument.safety_rules]
    named += [key for group in (*instrument.subscales, *instrument.domains) for key in group.items]
    named += [c.item for level in instrument.triage for c in level.any_of]
    named += [item.asked_if.item for item in instrument.items if item.asked_if is not None]
    assert set(named) <= keys


def test_the_maximum_totals_follow_from_the_items() -> None:
    maxima = {instrument.id: instrument.max_total for instrument in list_scales()}
    assert maxima == {
        "phq9": 27,  # 9 x 3; question 10 not scored
        "gad7": 21,  # 7 x 3
        "pcl5": 80,  # 20 x 4
        "qids_sr16": 27,  # 9 domains x 3
        "madrs": 60,  # 10 x 6
        "cssrs_screen": None,  # no total
        "cadss": 92,  # 23 x 4; observer items not added
        "moaas": 5,
        "pain_nrs": 10,
        "peg": 30,  # 3 x 10, the sum (Krebs 2009 report the mean: divide by 3)
        "audit": 40,  # 8 x 4 + 2 x 4
        "mood_nrs": 10,
        "anxiety_nrs": 10,
    }


def test_loinc_codes_are_only_the_verified_ones() -> None:
    codes = {i.id: (i.loinc_panel, i.loinc_total) for i in list_scales()}
    assert codes["phq9"] == ("44249-1", "44261-6")
    assert codes["gad7"] == ("69737-5", "70274-6")
    assert codes["cssrs_screen"] == ("93373-9", None)
    assert codes["audit"] == (None, "75624-7")
    assert codes["pain_nrs"] == (None, "72514-3")
    for scale_id in (
        "pcl5",
        "qids_sr16",
        "madrs",
        "cadss",
        "moaas",
        "mood_nrs",
        "anxiety_nrs",
        "peg",
    ):
        assert codes[scale_id] == (None, None), scale_id


def test_texts_are_stored_only_where_the_licence_allows() -> None:
    with_text = {i.id for i in list_scales() if any(item.text for item in i.items)}
    assert with_text == {"phq9", "gad7", "pcl5", "audit"}


def test_the_qids_is_scored_by_domains_and_the_cssrs_by_triage() -> None:
    assert get_scale("qids_sr16").scoring is ScoringRule.DOMAIN_MAX
    assert get_scale("cssrs_screen").scoring is ScoringRule.TRIAGE


def test_the_alert_rules_are_the_ones_issue_three_asks_for() -> None:
    alerts = {
        (rule.scale, rule.code, rule.condition)
        for rule in alert_rules()
        if rule.level is FlagLevel.ALERT
    }
    assert alerts == {
        ("phq9", "suicidal_ideation", "item9 in 1..3"),
        ("qids_sr16", "suicidal_ideation", "item12 in 1..3"),
        ("madrs", "suicidal_ideation", "item10 in 4..6"),
        ("cssrs_screen", "suicide_risk", "risk moderate: item3 = 1 or item6_recent = 0"),
        ("cssrs_screen", "suicide_risk", "risk high: item4 = 1 or item5 = 1 or item6_recent = 1"),
        ("moaas", "unresponsive", "item1 = 0"),
    }
    warnings = {(r.scale, r.code) for r in alert_rules() if r.level is FlagLevel.WARNING}
    assert warnings == {("madrs", "suicidal_thoughts"), ("cssrs_screen", "suicide_risk")}


@pytest.mark.parametrize("scale_id", EXPECTED_IDS)
def test_describe_gives_plain_json_with_full_citations(scale_id: str) -> None:
    described = describe(scale_id)
    assert json.loads(json.dumps(described)) == described
    assert described["id"] == scale_id
    assert described["max_total"] == INSTRUMENTS[scale_id].max_total
    assert all(source["citation"] for source in described["sources"])
    assert len(described["items"]) == len(INSTRUMENTS[scale_id].items)


def test_describe_shows_skip_logic_and_outcome_thresholds() -> None:
    cssrs = describe("cssrs_screen")
    assert cssrs["items"][2]["asked_if"] == {"item": "item2", "value": 1}
    assert cssrs["scoring"] == "triage"
    phq9 = describe("phq9")
    assert phq9["outcome"]["response_percent"] == "50"
    assert phq9["outcome"]["remission_at_most"] == 4
    assert phq9["items"][9]["scored"] is False


@pytest.mark.parametrize(
    ("percent", "points"), [(None, None), (Decimal("50"), 10)], ids=["neither", "both"]
)
def test_an_outcome_definition_needs_exactly_one_response_rule(percent, points) -> None:
    with pytest.raises(ConfigurationError):
        OutcomeDefinition(
            response_text="r",
            remission_text="m",
            remission_at_most=4,
            sources=("phq9_kroenke_2001",),
            response_percent=percent,
            response_points=points,
        )
