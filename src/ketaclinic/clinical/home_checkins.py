"""Rules of the home-based sublingual program: prescription limits, refills, check-in alerts,
missed check-ins, pill-count reconciliation and the home dosing calendar.

Why a pure module: the home is the riskiest setting (nobody measures BP or watches sedation;
``screen.fda-2023-compounded-ketamine``), so what makes a check-in worrying must be one
readable, tested set of rules. Django stores the check-in and raises the alerts these
functions name. Nothing here reads the clock: "now" is always passed in as ``as_of``.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from ketaclinic.clinical.exceptions import ConfigurationError, InvalidValue, OutOfRange
from ketaclinic.clinical.protocols import get_protocol
from ketaclinic.clinical.schedule import ClinicCalendar, generate_schedule
from ketaclinic.clinical.units import add_months

__all__ = [
    "EARLY_REFILL_FRACTION",
    "MAX_REFILLS",
    "REFILL_MONTHS",
    "CheckInFinding",
    "CheckInReport",
    "FindingLevel",
    "HomeCheckInParameters",
    "HomePrescribed",
    "PillReconciliation",
    "SideEffectSeverity",
    "assess_check_in",
    "check_prescription",
    "earliest_refill_on",
    "home_dose_dates",
    "missed_dates",
    "reconcile_pill_count",
    "refill_problems",
    "refills_end_on",
    "troches_per_week",
]

MAX_REFILLS = 5
"""At most five refills of a Schedule III prescription (``cfr_1306_22`` (a))."""

REFILL_MONTHS = 6
"""No refill more than six months after the date written (``cfr_1306_22`` (a))."""

EARLY_REFILL_FRACTION = Decimal("0.85")
"""A refill is early while less than 85% of the previous supply should have been used at the
prescribed rate: ``kern_2020_early_refills`` calls a fill "early" when it comes 15% or more
before the previous supply's days run out. A clinic may change it (a site setting)."""


class FindingLevel(enum.StrEnum):
    """How fast the care team must look: ``urgent`` today, ``warning`` at the next review."""

    URGENT = "urgent"
    WARNING = "warning"


class SideEffectSeverity(enum.StrEnum):
    NONE = "none"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


@dataclass(frozen=True, slots=True)
class HomeCheckInParameters:
    """Clinic-configurable lines for home check-ins.

    ``bp_warning_*`` 160/100 mmHg: unverified project default between the 140/90 caution
    line of ``screen.spravato-label`` 2.1 and the 180/110 urgent line of
    ``monitor.yip-2022-hypertension``; at home nobody can repeat the reading 5 minutes later
    (``screen.fda-2023-compounded-ketamine``), so the team is told earlier than in clinic.
    ``bp_urgent_*`` 180/110: ``monitor.yip-2022-hypertension`` (severe hypertension; the
    project's in-clinic urgent line). ``grace_hours`` 24: Ketaclinic convention (unverified):
    a check-in may come the morning after an evening dose.
    """

    bp_warning_systolic: int = 160
    bp_warning_diastolic: int = 100
    bp_urgent_systolic: int = 180
    bp_urgent_diastolic: int = 110
    grace_hours: int = 24

    def __post_init__(self) -> None:
        if self.bp_warning_systolic > self.bp_urgent_systolic:
            raise ConfigurationError("bp_warning_systolic must not exceed bp_urgent_systolic")
        if self.bp_warning_diastolic > self.bp_urgent_diastolic:
            raise ConfigurationError("bp_warning_diastolic must not exceed bp_urgent_diastolic")
        if not 0 <= self.grace_hours <= 168:
            raise ConfigurationError("grace_hours must be from 0 to 168 hours")


@dataclass(frozen=True, slots=True)
class HomePrescribed:
    """What the prescription allows per dose and per week."""

    dose_per_session_mg: Decimal
    max_doses_per_week: int


@dataclass(frozen=True, slots=True)
class CheckInReport:
    """What the patient reported for one home dose.

    ``doses_in_week`` counts the doses reported on the 7 calendar days ending on this dose's
    day, this one included. Blood pressure is optional (not every patient has a cuff).
    """

    amount_mg: Decimal
    responsible_adult_present: bool
    suicidal_thoughts: bool
    side_effect_severity: SideEffectSeverity = SideEffectSeverity.NONE
    doses_in_week: int = 1
    bp_systolic: int | None = None
    bp_diastolic: int | None = None


@dataclass(frozen=True, slots=True)
class CheckInFinding:
    """One reason the care team must look at a check-in, with the source of its rule."""

    code: str
    level: FindingLevel
    message: str
    source_key: str


def _bp_at_or_above(report: CheckInReport, systolic: int, diastolic: int) -> bool:
    return (report.bp_systolic is not None and report.bp_systolic >= systolic) or (
        report.bp_diastolic is not None and report.bp_diastolic >= diastolic
    )


def assess_check_in(
    report: CheckInReport,
    prescribed: HomePrescribed,
    parameters: HomeCheckInParameters | None = None,
) -> tuple[CheckInFinding, ...]:
    """Every reason this check-in needs the care team, most urgent first; empty when none.

    BP is "at or above" a pair when systolic OR diastolic reaches its number.
    """
    p = parameters or HomeCheckInParameters()
    findings: list[CheckInFinding] = []
    if report.suicidal_thoughts:
        findings.append(
            CheckInFinding(
                "suicidal_thoughts",
                FindingLevel.URGENT,
                "Patient reports suicidal thoughts: contact today; crisis resources were shown.",
                "screen.fda-2023-compounded-ketamine",
            )
        )
    bp = f"{report.bp_systolic}/{report.bp_diastolic} mmHg"
    if _bp_at_or_above(report, p.bp_urgent_systolic, p.bp_urgent_diastolic):
        findings.append(
            CheckInFinding(
                "bp_urgent",
                FindingLevel.URGENT,
                f"Home BP {bp} is at or above {p.bp_urgent_systolic}/{p.bp_urgent_diastolic}.",
                "monitor.yip-2022-hypertension",
            )
        )
    elif _bp_at_or_above(report, p.bp_warning_systolic, p.bp_warning_diastolic):
        findings.append(
            CheckInFinding(
                "bp_high",
                FindingLevel.WARNING,
                f"Home BP {bp} is at or above {p.bp_warning_systolic}/{p.bp_warning_diastolic}.",
                "screen.fda-2023-compounded-ketamine",
            )
        )
    if report.side_effect_severity is SideEffectSeverity.SEVERE:
        findings.append(
            CheckInFinding(
                "severe_side_effects",
                FindingLevel.URGENT,
                "Severe side effects after the home dose.",
                "screen.fda-2023-compounded-ketamine",
            )
        )
    if report.amount_mg > prescribed.dose_per_session_mg:
        findings.append(
            CheckInFinding(
                "dose_above_prescribed",
                FindingLevel.URGENT,
                f"Took {report.amount_mg} mg; the prescription allows "
                f"{prescribed.dose_per_session_mg} mg per dose.",
                "screen.fda-2023-compounded-ketamine",
            )
        )
    if report.doses_in_week > prescribed.max_doses_per_week:
        findings.append(
            CheckInFinding(
                "too_many_doses_in_week",
                FindingLevel.URGENT,
                f"{report.doses_in_week} doses in 7 days; the prescription allows "
                f"{prescribed.max_doses_per_week}.",
                "screen.fda-2023-compounded-ketamine",
            )
        )
    if not report.responsible_adult_present:
        findings.append(
            CheckInFinding(
                "no_responsible_adult",
                FindingLevel.WARNING,
                "No responsible adult was present for the home dose.",
                "screen.fda-2023-compounded-ketamine",
            )
        )
    order = {FindingLevel.URGENT: 0, FindingLevel.WARNING: 1}
    return tuple(sorted(findings, key=lambda f: order[f.level]))


def refills_end_on(written_on: dt.date) -> dt.date:
    """The last day a refill may be dispensed: six months after the date written."""
    return add_months(written_on, REFILL_MONTHS)


def check_prescription(
    *,
    refills_authorised: int,
    written_on: dt.date,
    refills_until: dt.date | None,
    quantity_dispensed: int,
    strength_mg: Decimal,
    dose_per_session_mg: Decimal,
    max_doses_per_week: int,
) -> None:
    """Refuse a home prescription outside the Schedule III limits (``cfr_1306_22``).

    Raises ``OutOfRange`` naming the field: more than 5 refills, refills authorised past six
    months from the date written, or nonsensical amounts.
    """
    if not 0 <= refills_authorised <= MAX_REFILLS:
        raise OutOfRange(
            "refills_authorised", f"Schedule III allows 0 to {MAX_REFILLS} refills (21 CFR 1306.22)"
        )
    if refills_until is not None:
        last = refills_end_on(written_on)
        if refills_until < written_on or refills_until > last:
            raise OutOfRange(
                "refills_until",
                f"refills must end by {last.isoformat()}, six months after the date written "
                "(21 CFR 1306.22)",
            )
    if quantity_dispensed < 1:
        raise OutOfRange("quantity_dispensed", "dispense at least one troche")
    if strength_mg <= 0:
        raise OutOfRange("strength_mg", "must be more than 0 mg")
    if dose_per_session_mg <= 0:
        raise OutOfRange("dose_per_session_mg", "must be more than 0 mg")
    if not 1 <= max_doses_per_week <= 7:
        raise OutOfRange("max_doses_per_week", "must be from 1 to 7")


def home_dose_dates(first_home_dose_on: dt.date) -> tuple[dt.date, ...]:
    """Planned home dose dates from the core's ``sublingual-home`` protocol.

    Home protocols ignore the clinic calendar (the patient doses on any day), so the weekday
    calendar passed here does not move any date.
    """
    schedule = generate_schedule(
        get_protocol("sublingual-home"), first_home_dose_on, ClinicCalendar.weekdays()
    )
    return tuple(planned.date for planned in schedule.sessions)


def missed_dates(
    planned: Iterable[dt.date],
    checked_in: Iterable[dt.date],
    *,
    as_of: dt.datetime,
    tz: dt.tzinfo,
    grace_hours: int = 24,
) -> tuple[dt.date, ...]:
    """Planned dates with no check-in whose day (in ``tz``) plus ``grace_hours`` has passed.

    A dose planned on 10 March with 24 grace hours is missed from 12 March 00:00 local time.
    """
    if as_of.tzinfo is None:
        raise InvalidValue("as_of", "a timezone-aware date and time is needed")
    done = set(checked_in)
    missed = []
    for day in sorted(set(planned)):
        deadline = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
        if day not in done and as_of >= deadline + dt.timedelta(hours=grace_hours):
            missed.append(day)
    return tuple(missed)


@dataclass(frozen=True, slots=True)
class PillReconciliation:
    """Expected on hand = dispensed - reported taken; a non-zero discrepancy needs review."""

    dispensed: Decimal | int
    reported_taken: Decimal | int
    counted: Decimal | int
    expected_on_hand: Decimal | int
    discrepancy: Decimal | int

    @property
    def matches(self) -> bool:
        return self.discrepancy == 0


def reconcile_pill_count(
    dispensed: Sequence[Decimal | int] | Decimal | int,
    reported_taken: Sequence[Decimal | int] | Decimal | int,
    counted: Decimal | int,
) -> PillReconciliation:
    """Compare a count at a visit with what the dispensings and the check-ins imply.

    ``dispensed`` is one quantity or every dispensing of the prescription (the first fill and
    each refill), summed. ``discrepancy`` is counted minus expected: negative means troches are
    missing (the ledger equation of ``cfr_1304_22`` applied to the patient's supply). Troches
    may be halved, so counts may be ``Decimal``.
    """
    if not isinstance(dispensed, int | Decimal):
        if any(quantity < 0 for quantity in dispensed):
            raise OutOfRange("dispensed", "no dispensing may be negative")
        dispensed = sum(dispensed)
    taken = reported_taken if isinstance(reported_taken, int | Decimal) else sum(reported_taken)
    if dispensed < 0:
        raise OutOfRange("dispensed", "must not be negative")
    if taken < 0:
        raise OutOfRange("reported_taken", "must not be negative")
    if counted < 0:
        raise OutOfRange("counted", "must not be negative")
    expected = dispensed - taken
    return PillReconciliation(dispensed, taken, counted, expected, counted - expected)


def troches_per_week(
    dose_per_session_mg: Decimal, strength_mg: Decimal, max_doses_per_week: int
) -> Decimal:
    """The fastest rate the prescription allows: troches per dose times doses per week."""
    if strength_mg <= 0:
        raise OutOfRange("strength_mg", "must be more than 0 mg")
    if dose_per_session_mg <= 0:
        raise OutOfRange("dose_per_session_mg", "must be more than 0 mg")
    if not 1 <= max_doses_per_week <= 7:
        raise OutOfRange("max_doses_per_week", "must be from 1 to 7")
    return dose_per_session_mg / strength_mg * max_doses_per_week


def earliest_refill_on(
    *,
    supply_started_on: dt.date,
    supply_quantity: int | Decimal,
    per_week: Decimal,
    early_fraction: Decimal = EARLY_REFILL_FRACTION,
) -> dt.date:
    """The first day ``early_fraction`` of the last supply should be used at ``per_week``.

    8 troches at 4 a week last 14 days; 85% of them (6.8) are used after 11.9 days, so the
    earliest refill is 12 whole days after the supply started.
    """
    if not Decimal("0") <= early_fraction <= Decimal("1"):
        raise ConfigurationError("early_fraction must be from 0 to 1")
    if per_week <= 0:
        raise OutOfRange("per_week", "must be more than 0 troches a week")
    days = Decimal(supply_quantity) * early_fraction * 7 / per_week
    return supply_started_on + dt.timedelta(days=math.ceil(days))


def refill_problems(
    *,
    written_on: dt.date,
    refills_authorised: int,
    refills_until: dt.date | None,
    refills_dispensed: int,
    quantity_prescribed: int,
    quantity: int,
    dispensed_on: dt.date,
    supply_started_on: dt.date,
    supply_quantity: int | Decimal,
    per_week: Decimal,
    early_fraction: Decimal = EARLY_REFILL_FRACTION,
) -> tuple[OutOfRange, ...]:
    """Every reason this refill may not be dispensed; empty when it may.

    Schedule III (``cfr_1306_22``): at most five refills (and no more than written), none
    after six months from the date written nor after the prescription's own end date. A refill
    repeats at most the quantity prescribed. Early refills (``kern_2020_early_refills``): not
    before ``early_fraction`` of the previous supply, dispensed on ``supply_started_on`` (or
    when home dosing started, if later), should have been used at the prescribed rate.
    """
    problems: list[OutOfRange] = []
    allowed = min(refills_authorised, MAX_REFILLS)
    if refills_dispensed >= allowed:
        message = (
            "this prescription authorises no refills"
            if allowed == 0
            else f"all {allowed} refills authorised have been dispensed (21 CFR 1306.22)"
        )
        problems.append(OutOfRange("refills", message))
    if not 1 <= quantity <= quantity_prescribed:
        problems.append(
            OutOfRange("quantity", f"a refill is 1 to {quantity_prescribed} troches, as written")
        )
    last_day = refills_end_on(written_on)
    if dispensed_on < written_on:
        problems.append(
            OutOfRange("dispensed_on", "is before the date the prescription was written")
        )
    elif dispensed_on > last_day:
        problems.append(
            OutOfRange(
                "dispensed_on",
                f"no refill after {last_day.isoformat()}, six months after the date written "
                "(21 CFR 1306.22)",
            )
        )
    elif refills_until is not None and dispensed_on > refills_until:
        problems.append(
            OutOfRange(
                "dispensed_on",
                f"the prescription allows refills until {refills_until.isoformat()}",
            )
        )
    else:
        earliest = earliest_refill_on(
            supply_started_on=supply_started_on,
            supply_quantity=supply_quantity,
            per_week=per_week,
            early_fraction=early_fraction,
        )
        if dispensed_on < earliest:
            problems.append(
                OutOfRange(
                    "dispensed_on",
                    f"too early: {early_fraction:%} of the last supply should not be used before "
                    f"{earliest.isoformat()} at the prescribed rate",
                )
            )
    return tuple(problems)
