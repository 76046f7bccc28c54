"""Protocol templates by route: phases, spacing rules, doses and the sources behind them.

A protocol is a frozen template (its shape is in ``clinical.protocol_model``).
``schedule.generate_schedule`` turns one into dated sessions for a clinic's calendar. Each
phase states how many sessions it has, the spacing it aims for (``interval``), the spacing it
must keep (``min_gap_days``/``max_gap_days``), and, where the source gives one, a window the
whole phase must fit in ("six infusions within 21 days").

Every template cites its sources (keys in ``clinical.sources``) and lists, in ``unverified``,
the defaults that no source read for this project states: a clinic should review those.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from ketaclinic.clinical.exceptions import UnknownCode
from ketaclinic.clinical.protocol_model import (
    Cadence,
    DoseSpec,
    Phase,
    Protocol,
    Setting,
    Variant,
)
from ketaclinic.clinical.routes import Route

__all__ = [
    "CANBIND_RELAPSE_PHASES",
    "PROTOCOLS",
    "Cadence",
    "DoseSpec",
    "Phase",
    "Protocol",
    "Setting",
    "Variant",
    "get_protocol",
]


_THRICE_WEEKLY = Cadence(days=Fraction(7, 3))
_TWICE_WEEKLY = Cadence(days=Fraction(7, 2))
_WEEKLY = Cadence(days=Fraction(7))
_EVERY_2_WEEKS = Cadence(days=Fraction(14))
_MONTHLY = Cadence(months=1)

_IV_DEPRESSION_DOSE = DoseSpec(Decimal("0.5"), per_kg=True, duration_min=40)
_ESKETAMINE_56_OR_84 = DoseSpec(Decimal("56"), alternatives=(Decimal("84"),))


def _iv_induction(interval: Cadence) -> Phase:
    return Phase(
        name="induction",
        sessions=6,
        interval=interval,
        min_gap_days=2,
        max_gap_days=7,
        window_days=21,
        dose=_IV_DEPRESSION_DOSE,
    )


IV_DEPRESSION_INDUCTION = Protocol(
    id="iv-depression-induction",
    title="IV racemic ketamine, depression induction: six infusions within 21 days",
    route=Route.IV,
    setting=Setting.CLINIC,
    variants=(
        Variant(
            "thrice-weekly",
            (_iv_induction(_THRICE_WEEKLY),),
            "Monday-Wednesday-Friday rhythm over 12 days (Murrough 2013, Shiroma 2014, "
            "Phillips 2019)",
        ),
        Variant(
            "twice-weekly",
            (_iv_induction(_TWICE_WEEKLY),),
            "twice weekly, as effective as thrice weekly over 15 days (Singh 2016)",
        ),
    ),
    source_keys=(
        "protocol.murrough-2013",
        "protocol.shiroma-2014",
        "protocol.phillips-2019",
        "protocol.singh-2016",
        "dose.ketaclinic-convention",
    ),
    unverified=(
        "at least 2 days between infusions (none on consecutive days): inferred from the "
        "Monday-Wednesday-Friday schedules, not stated as a rule",
        "at most 7 days between infusions: Ketaclinic convention",
        "the 21-day window also bounds the twice-weekly variant (six twice-weekly infusions "
        "span about 18 days); Singh 2016 dosed twice weekly for up to 4 weeks",
    ),
)

IV_MAINTENANCE_CANBIND = Protocol(
    id="iv-maintenance-canbind",
    title="IV ketamine maintenance after response (CAN-BIND taper)",
    route=Route.IV,
    setting=Setting.CLINIC,
    variants=(
        Variant(
            "standard",
            (
                Phase("weekly", 4, _WEEKLY, 5, 10, _IV_DEPRESSION_DOSE),
                Phase("every-2-weeks", 4, _EVERY_2_WEEKS, 10, 18, _IV_DEPRESSION_DOSE),
                Phase("monthly", 3, _MONTHLY, 21, 38, _IV_DEPRESSION_DOSE, lead=_MONTHLY),
            ),
            "weekly for 1 month, every 2 weeks for 2 months, monthly for 3 months",
        ),
    ),
    source_keys=("protocol.canbind-2020", "dose.ketaclinic-convention"),
    unverified=(
        "4 weekly, 4 two-weekly and 3 monthly sessions: Ketaclinic's count for 1, 2 and 3 months",
        "spacing tolerances (weekly 5-10 days, two-weekly 10-18, monthly 21-38): Ketaclinic "
        "convention",
        "0.5 mg/kg over 40 min for maintenance: the trial's induction dose, assumed to carry on",
    ),
)

CANBIND_RELAPSE_PHASES: tuple[Phase, ...] = (
    Phase("relapse", 1, _EVERY_2_WEEKS, 2, 14, _IV_DEPRESSION_DOSE),
    Phase("every-2-weeks", 1, _EVERY_2_WEEKS, 10, 18, _IV_DEPRESSION_DOSE),
)
"""On relapse, CAN-BIND returns to infusions every 2 weeks (``protocol.canbind-2020``): one
infusion as soon as the calendar allows, then every 2 weeks to the end of maintenance. The
second phase's session count is set by ``schedule.reschedule_after_relapse``."""


def _esketamine_induction(dose: DoseSpec, first_dose: DoseSpec | None) -> Phase:
    return Phase(
        name="induction",
        sessions=8,
        interval=_TWICE_WEEKLY,
        min_gap_days=2,
        max_gap_days=5,
        window_days=28,
        dose=dose,
        first_dose=first_dose,
    )


def _esketamine_trd(continuation: Cadence, min_gap: int, max_gap: int) -> tuple[Phase, ...]:
    return (
        _esketamine_induction(_ESKETAMINE_56_OR_84, DoseSpec(Decimal("56"))),
        Phase("maintenance-weekly", 4, _WEEKLY, 5, 10, _ESKETAMINE_56_OR_84, window_days=28),
        # From week 9 the first dose is a week after week 8's (lead), whichever rhythm follows.
        Phase("maintenance", 4, continuation, min_gap, max_gap, _ESKETAMINE_56_OR_84, lead=_WEEKLY),
    )


ESKETAMINE_TRD = Protocol(
    id="esketamine-trd",
    title="Esketamine nasal spray, treatment-resistant depression (US label)",
    route=Route.ESKETAMINE,
    setting=Setting.CLINIC,
    variants=(
        Variant(
            "every-2-weeks",
            _esketamine_trd(_EVERY_2_WEEKS, 7, 18),
            "weeks 1-4 twice weekly, 5-8 weekly, from week 9 every 2 weeks",
        ),
        Variant(
            "weekly",
            _esketamine_trd(_WEEKLY, 5, 10),
            "weeks 1-4 twice weekly, 5-8 weekly, from week 9 weekly",
        ),
    ),
    source_keys=("protocol.spravato-label-dosing", "dose.ketaclinic-convention"),
    unverified=(
        "at least 2 days between twice-weekly doses: the label read gives no minimum interval",
        "from week 9 the plan shows 4 sessions; the label sets no end, review response",
        "spacing tolerances (twice weekly 2-5 days, weekly 5-10, two-weekly 7-18, so a "
        "two-weekly plan may fall back to the label's weekly rhythm): Ketaclinic convention",
    ),
)

ESKETAMINE_MDSI = Protocol(
    id="esketamine-mdsi",
    title="Esketamine nasal spray, MDD with acute suicidal ideation or behaviour (US label)",
    route=Route.ESKETAMINE,
    setting=Setting.CLINIC,
    variants=(
        Variant(
            "standard",
            (
                # The label starts at 84 mg; 56 mg is a reduction for tolerability, so it is
                # offered from the second dose on, never as the first.
                _esketamine_induction(
                    DoseSpec(Decimal("84"), alternatives=(Decimal("56"),)),
                    DoseSpec(Decimal("84")),
                ),
            ),
            "84 mg twice weekly for 4 weeks, starting at 84 mg; may reduce to 56 mg for "
            "tolerability after the first dose",
        ),
    ),
    source_keys=("protocol.spravato-label-dosing", "dose.ketaclinic-convention"),
    unverified=(
        "at least 2 days between doses: the label read gives no minimum interval",
        "twice-weekly spacing 2-5 days: Ketaclinic convention",
    ),
)

IM_DEPRESSION = Protocol(
    id="im-depression",
    title="IM racemic ketamine, depression: six injections twice weekly",
    route=Route.IM,
    setting=Setting.CLINIC,
    variants=(
        Variant(
            "standard",
            (
                Phase(
                    "induction",
                    6,
                    _TWICE_WEEKLY,
                    2,
                    7,
                    DoseSpec(Decimal("0.5"), per_kg=True, alternatives=(Decimal("0.25"),)),
                    window_days=21,
                ),
            ),
            "0.5 mg/kg IM (0.25 mg/kg was as effective in one small study), twice weekly",
        ),
    ),
    source_keys=(
        "protocol.chilukuri-2014",
        "protocol.andrade-2017-dosing",
        "dose.ketaclinic-convention",
    ),
    unverified=(
        "the six-injection, twice-weekly course mirrors the IV induction: no IM course "
        "schedule was found in the sources read",
    ),
)

SUBLINGUAL_HOME = Protocol(
    id="sublingual-home",
    title="Sublingual ketamine at home (troches or rapid-dissolve tablets)",
    route=Route.SUBLINGUAL,
    setting=Setting.HOME,
    variants=(
        Variant(
            "standard",
            (
                Phase(
                    "home-dosing", 6, _TWICE_WEEKLY, 2, 7, DoseSpec(Decimal("100")), window_days=28
                ),
            ),
            "six doses over up to four weeks, at least 2 days apart",
        ),
    ),
    source_keys=(
        "protocol.hull-2022",
        "protocol.hassan-2022",
        "dose.askp3-route-equivalence",
        "dose.ketaclinic-convention",
    ),
    unverified=(
        "100 mg per dose: ASKP3's estimated sublingual equivalent of 0.5 mg/kg IV in a 70 kg "
        "adult, not a dose read from the home-use studies",
        "six doses within four weeks, at least 2 days apart: combines Hassan 2022 (six doses) "
        "and Hull 2022 (four weeks); the spacing is Ketaclinic convention",
    ),
)

IV_CHRONIC_PAIN = Protocol(
    id="iv-chronic-pain",
    title="IV ketamine for chronic pain (CRPS regimen): 4-hour infusions on 10 days",
    route=Route.IV,
    setting=Setting.CLINIC,
    variants=(
        Variant(
            "standard",
            (
                Phase(
                    "infusion-series",
                    10,
                    Cadence(days=Fraction(1)),
                    1,
                    4,
                    DoseSpec(Decimal("0.35"), per_kg=True, per_hour=True, duration_min=240),
                    window_days=14,
                ),
            ),
            "0.35 mg/kg/h over 4 h on 10 open days (moderate evidence for CRPS only)",
        ),
    ),
    source_keys=("protocol.cohen-2018-chronic-pain", "dose.ketaclinic-convention"),
    unverified=(
        "'daily for 10 days' is planned on the clinic's open days within 14 days; whether the "
        "trial infused on weekends was not checked",
        "the guideline's grade C advice is to start with one infusion (at least 80 mg over more "
        "than 2 h) and reassess before a series",
    ),
)

_SIX_DAYS = Cadence(days=Fraction(6))
_KAP_INTEGRATION = Phase("integration", 1, _WEEKLY, 1, 3, None, lead=Cadence(days=Fraction(1)))


def _kap_dosing(lead: Cadence) -> Phase:
    """A dosing session; 6 days after an integration session keeps the weekly rhythm."""
    return Phase("dosing", 1, _WEEKLY, 3, 14, DoseSpec(Decimal("100")), lead=lead)


KAP = Protocol(
    id="kap",
    title="Ketamine-assisted psychotherapy: preparation, dosing and integration sessions",
    route=Route.SUBLINGUAL,
    setting=Setting.CLINIC,
    variants=(
        Variant(
            "standard",
            (
                Phase("preparation", 1, _WEEKLY, 1, 14, None),
                _kap_dosing(_WEEKLY),
                _KAP_INTEGRATION,
                _kap_dosing(_SIX_DAYS),
                _KAP_INTEGRATION,
                _kap_dosing(_SIX_DAYS),
                _KAP_INTEGRATION,
            ),
            "one preparation session, then three weekly dosing sessions, each followed by an "
            "integration session 1-3 days later",
        ),
    ),
    source_keys=(
        "protocol.dore-2019",
        "dose.wolfson-lozenge",
        "dose.askp3-route-equivalence",
        "dose.ketaclinic-convention",
    ),
    unverified=(
        "session counts and spacing: Ketaclinic defaults, not read from Dore 2019",
        "100 mg sublingual lozenge in the office: ASKP3 equivalent of 0.5 mg/kg IV; KAP "
        "practices also dose IM",
    ),
)

PROTOCOLS: dict[str, Protocol] = {
    protocol.id: protocol
    for protocol in (
        IV_DEPRESSION_INDUCTION,
        IV_MAINTENANCE_CANBIND,
        ESKETAMINE_TRD,
        ESKETAMINE_MDSI,
        IM_DEPRESSION,
        SUBLINGUAL_HOME,
        IV_CHRONIC_PAIN,
        KAP,
    )
}


def get_protocol(protocol_id: str) -> Protocol:
    """The template with this id; an unknown id is an ``UnknownCode`` naming ``protocol``."""
    try:
        return PROTOCOLS[protocol_id]
    except KeyError:
        known = ", ".join(PROTOCOLS)
        raise UnknownCode(
            "protocol", f"{protocol_id!r} is not a protocol (known: {known})"
        ) from None
