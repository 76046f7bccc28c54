"""The protocol templates: ids, sources, doses as text, variants."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from ketaclinic.clinical.exceptions import UnknownCode
from ketaclinic.clinical.protocols import (
    CANBIND_RELAPSE_PHASES,
    PROTOCOLS,
    Cadence,
    DoseSpec,
    Setting,
    get_protocol,
)
from ketaclinic.clinical.routes import Route
from ketaclinic.clinical.sources import SOURCES


def test_the_protocol_ids_are_exactly_the_documented_ones() -> None:
    assert list(PROTOCOLS) == [
        "iv-depression-induction",
        "iv-maintenance-canbind",
        "esketamine-trd",
        "esketamine-mdsi",
        "im-depression",
        "sublingual-home",
        "iv-chronic-pain",
        "kap",
    ]


@pytest.mark.parametrize("protocol", PROTOCOLS.values(), ids=list(PROTOCOLS))
def test_every_protocol_cites_registered_sources_and_names_its_unverified_defaults(
    protocol,
) -> None:
    assert protocol.source_keys
    for key in protocol.source_keys:
        assert key in SOURCES, key
    assert protocol.unverified, "every template has at least one default no source states"


@pytest.mark.parametrize("protocol", PROTOCOLS.values(), ids=list(PROTOCOLS))
def test_every_phase_aims_within_its_own_spacing_rules(protocol) -> None:
    for variant in protocol.variants:
        for phase in variant.phases:
            assert 1 <= phase.min_gap_days <= phase.max_gap_days
            assert phase.sessions >= 1


def test_iv_induction_is_half_a_milligram_per_kilogram_over_40_minutes_six_times_in_21_days() -> (
    None
):
    (phase,) = get_protocol("iv-depression-induction").phases
    assert phase.dose == DoseSpec(Decimal("0.5"), per_kg=True, duration_min=40)
    assert (phase.sessions, phase.window_days, phase.min_gap_days) == (6, 21, 2)
    assert phase.interval.render() == "3 times weekly"


def test_esketamine_trd_starts_at_56_mg_then_allows_56_or_84() -> None:
    induction = get_protocol("esketamine-trd").phases[0]
    assert induction.dose_for(0) == DoseSpec(Decimal("56"))
    assert induction.dose_for(1).render() == "56 or 84 mg"
    assert induction.sessions == 8


def test_esketamine_mdsi_starts_at_84_mg_and_is_reducible_to_56_after() -> None:
    # US label: 84 mg twice weekly; reduce to 56 mg for tolerability, never start there.
    (phase,) = get_protocol("esketamine-mdsi").phases
    assert phase.dose_for(0).render() == "84 mg"
    assert phase.dose_for(1).render() == "84 or 56 mg"


def test_home_sublingual_is_the_only_home_protocol() -> None:
    home = [p.id for p in PROTOCOLS.values() if p.setting is Setting.HOME]
    assert home == ["sublingual-home"]
    assert get_protocol("sublingual-home").route is Route.SUBLINGUAL


def test_the_chronic_pain_dose_is_a_rate_over_four_hours() -> None:
    (phase,) = get_protocol("iv-chronic-pain").phases
    assert phase.dose.render() == "0.35 mg/kg/h over 240 min"


def test_kap_sessions_without_ketamine_have_no_dose() -> None:
    phases = get_protocol("kap").phases
    assert [p.name for p in phases][:3] == ["preparation", "dosing", "integration"]
    assert phases[0].dose is None
    assert phases[2].dose is None


def test_relapse_phases_return_to_every_two_weeks() -> None:
    assert [p.name for p in CANBIND_RELAPSE_PHASES] == ["relapse", "every-2-weeks"]
    assert CANBIND_RELAPSE_PHASES[1].interval == Cadence(days=Fraction(14))


@pytest.mark.parametrize(
    ("cadence", "text"),
    [
        (Cadence(days=Fraction(1)), "daily"),
        (Cadence(days=Fraction(7)), "weekly"),
        (Cadence(days=Fraction(14)), "every 2 weeks"),
        (Cadence(days=Fraction(7, 2)), "2 times weekly"),
        (Cadence(months=1), "monthly"),
        (Cadence(months=3), "every 3 months"),
    ],
)
def test_cadences_read_as_people_say_them(cadence: Cadence, text: str) -> None:
    assert cadence.render() == text


@pytest.mark.parametrize(
    ("spec", "text"),
    [
        (DoseSpec(Decimal("0.50"), per_kg=True, duration_min=40), "0.5 mg/kg over 40 min"),
        (DoseSpec(Decimal("56")), "56 mg"),
        (DoseSpec(Decimal("100")), "100 mg"),
        (DoseSpec(Decimal("56"), alternatives=(Decimal("84"),)), "56 or 84 mg"),
    ],
)
def test_dose_specs_render_without_trailing_zeros(spec: DoseSpec, text: str) -> None:
    assert spec.render() == text


def test_an_unknown_protocol_lists_the_known_ids() -> None:
    with pytest.raises(UnknownCode) as caught:
        get_protocol("iv-forever")
    assert caught.value.field == "protocol"
    assert "iv-depression-induction" in caught.value.message


def test_the_default_variant_is_the_first() -> None:
    protocol = get_protocol("iv-depression-induction")
    assert protocol.variant(None).name == "thrice-weekly"
    assert protocol.variant("twice-weekly").phases[0].interval == Cadence(days=Fraction(7, 2))
