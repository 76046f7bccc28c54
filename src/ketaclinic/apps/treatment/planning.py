"""Treatment plans: a course from a signed screening, its dated sessions, chairs and changes.

The core says which protocols exist, how their sessions are spaced on the clinic's calendar
(``clinical.schedule``) and what a dose comes to (``clinical.planned_dose``); this module
turns those into rows, gives each session a time and a chair without conflicts, and audits
every change. A refusal is a ``PlanRefused`` naming the field, with the core's own message
when the core refused.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db import transaction

from ketaclinic.apps.accounts.models import Site
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.patients.dosing_weight import dosing_weight
from ketaclinic.apps.treatment.chairs import ChairBook
from ketaclinic.apps.treatment.choices import (
    CoursePhase,
    SessionConflictKind,
    SessionKind,
    Setting,
)
from ketaclinic.apps.treatment.conflicts import (
    PlanConflicts,
    SessionConflict,
    Slot,
    nearest_free_slot,
    place,
    valid_same_day_reason,
)
from ketaclinic.apps.treatment.models import Course, Screening, Session
from ketaclinic.apps.treatment.site_calendar import site_calendar
from ketaclinic.apps.web import clock
from ketaclinic.clinical.body_weight import Sex
from ketaclinic.clinical.dosing import (
    ESKETAMINE_OLDER_ADULT_AGE,
    EsketamineLabel,
    esketamine_starting_dose_mg,
)
from ketaclinic.clinical.exceptions import InputError
from ketaclinic.clinical.planned_dose import calculate_planned_dose
from ketaclinic.clinical.protocols import PROTOCOLS, DoseSpec, Phase, Protocol, get_protocol
from ketaclinic.clinical.routes import Route
from ketaclinic.clinical.schedule import PlannedSession, ScheduleOptions, generate_schedule

if TYPE_CHECKING:
    from django.http import HttpRequest

    from ketaclinic.apps.patients.models import Patient

DEFAULT_START_TIME = dt.time(9, 0)
_SEARCH_PAD = dt.timedelta(days=8)  # suggestions look up to a week either side


class PlanRefused(InputError):
    """A plan or a change that cannot be made; ``field`` names what to change."""


@dataclass(frozen=True)
class PlanChoice:
    """What the prescriber chose: protocol (and variant), target dose, first day, time, chair."""

    protocol_id: str
    starts_on: dt.date
    variant: str | None = None
    target_dose_mg_per_kg: Decimal | None = None
    target_dose_mg: Decimal | None = None
    start_time: dt.time = DEFAULT_START_TIME
    chair: int | None = None
    indication: str = ""
    moves: dict[int, Slot] = field(default_factory=dict)
    same_day_reason: str = ""


@dataclass(frozen=True)
class PlanOutcome:
    course: Course
    notes: tuple[str, ...]


def protocols_for(screening: Screening) -> list[Protocol]:
    """Protocols a signed screening allows: same route; a home protocol needs a home screening.

    A home screening ran the stricter home criteria, so it also allows clinic protocols of
    the route; a clinic screening never allows a home program.
    """
    return [
        p
        for p in PROTOCOLS.values()
        if p.route.value == screening.route
        and (p.setting.value == Setting.CLINIC or screening.setting == Setting.HOME)
    ]


def _phases(protocol: Protocol, variant: str | None) -> tuple[Phase, ...]:
    return protocol.variant(variant).phases


def main_dose(protocol: Protocol, variant: str | None = None) -> DoseSpec:
    """The protocol's dose for its dosing sessions (the first phase that gives ketamine)."""
    return next(p.dose for p in _phases(protocol, variant) if p.dose is not None)


def session_specs(protocol: Protocol, variant: str | None) -> list[tuple[Phase, DoseSpec | None]]:
    """Per session number (index + 1): its phase and the dose the template gives it."""
    return [
        (phase, phase.dose_for(k))
        for phase in _phases(protocol, variant)
        for k in range(phase.sessions)
    ]


def session_kind(phase_name: str, dose: DoseSpec | None) -> str:
    if dose is not None:
        return SessionKind.DOSING
    if "integration" in phase_name:
        return SessionKind.INTEGRATION
    return SessionKind.PREPARATION


def course_phase(phase_name: str) -> str:
    if "maintenance" in phase_name or phase_name in {"weekly", "every-2-weeks", "monthly"}:
        return CoursePhase.MAINTENANCE
    if "continuation" in phase_name:
        return CoursePhase.CONTINUATION
    return CoursePhase.INDUCTION


def slot_minutes(protocol: Protocol, kind: str, dose: DoseSpec | None) -> int:
    """How long a session holds its chair (Ketaclinic scheduling convention, not a rule).

    Preparation and integration: 60 min. IV: the infusion plus 80 min for check-in,
    pre-checks and observation to discharge (40-min infusion: 120). Esketamine: 150, since
    the label requires at least 2 h of observation (``screen.spravato-label``). IM and
    home: 120; sublingual in the clinic (KAP): 180. Clinics adjust a session by moving it.
    """
    if kind != SessionKind.DOSING:
        return 60
    if protocol.route is Route.IV and dose is not None and dose.duration_min:
        return dose.duration_min + 80
    if protocol.route is Route.ESKETAMINE:
        return 150
    if protocol.route is Route.SUBLINGUAL and protocol.setting.value == Setting.CLINIC:
        return 180
    return 120


def weight_for_plan(patient: Patient, screening: Screening | None) -> WeightForPlan:
    """The patient's dosing weight (measurement history), dated; flagged when stale.

    A screening stored before screenings wrote to the history may be the only weight: its
    answers are used then, dated the screening's day.
    """
    today = clock.today(patient.site.timezone)
    weight = dosing_weight(patient, today)
    if weight.measurement is not None:
        return WeightForPlan(
            weight.weight_kg, weight.height_cm, weight.measured_on, weight.stale_message
        )
    if screening is None:
        raise PlanRefused("weight_kg", "record the patient's weight first")
    height = screening.inputs.get("height_cm")
    return WeightForPlan(
        Decimal(str(screening.inputs["weight_kg"])),
        Decimal(str(height)) if height is not None else None,
        screening.screened_at.astimezone(ZoneInfo(patient.site.timezone)).date(),
        "",
    )


@dataclass(frozen=True)
class WeightForPlan:
    weight_kg: Decimal
    height_cm: Decimal | None
    measured_on: dt.date
    stale_message: str


def target_spec(
    protocol: Protocol, variant: str | None, per_kg: Decimal | None, mg: Decimal | None
) -> tuple[DoseSpec, str]:
    """The protocol's dose with the prescriber's amount; returns it and the field it came from."""
    spec = main_dose(protocol, variant)
    if per_kg is not None and mg is not None:
        raise PlanRefused("target_dose_mg", "give a dose per kg or in mg, not both")
    if per_kg is None and mg is None:
        return dataclasses.replace(spec, alternatives=()), (
            "target_dose_mg_per_kg" if spec.per_kg else "target_dose_mg"
        )
    if spec.per_kg and per_kg is None:
        raise PlanRefused(
            "target_dose_mg_per_kg", f"{protocol.id} is dosed per kg ({spec.render()})"
        )
    if not spec.per_kg and mg is None:
        raise PlanRefused("target_dose_mg", f"{protocol.id} is dosed in mg ({spec.render()})")
    amount = per_kg if per_kg is not None else mg
    field = "target_dose_mg_per_kg" if per_kg is not None else "target_dose_mg"
    return dataclasses.replace(spec, amount=amount, alternatives=()), field


def dose_text(
    spec: DoseSpec,
    route: Route,
    weight_kg: Decimal,
    height_cm: Decimal | None,
    sex: str,
    field: str,
) -> tuple[str, tuple[str, ...]]:
    """ "0.5 mg/kg over 40 min ≈ 35 mg" from the core's dose rules; their warnings too."""
    try:
        result = calculate_planned_dose(
            spec,
            route,
            weight_kg=weight_kg,
            height_cm=height_cm,
            sex=Sex(sex) if sex in Sex.__members__.values() else None,
        )
    except InputError as error:
        raise PlanRefused(field, error.message) from None
    text = spec.render()
    if spec.per_kg:
        text += f" ≈ {format(result.dose_mg.normalize(), 'f')} mg"
    return text[:60], result.warnings


def esketamine_start(protocol: Protocol, site: Site, age_years: int) -> tuple[str, str] | None:
    """The first dose of an esketamine TRD course under the site's label, if not the template's.

    The EU/UK SmPC starts adults of 65 and over at 28 mg (then 28, 56 or 84 mg); the US label
    starts every adult at 56 mg (``dose.spravato-eu-smpc``, ``protocol.spravato-label-dosing``).
    Returns the session's dose text and a note for the prescriber, or None.
    """
    if protocol.id != "esketamine-trd":
        return None
    start = esketamine_starting_dose_mg(EsketamineLabel(site.esketamine_label), age_years)
    if start == Decimal("56"):
        return None
    return f"{start:f} mg", (
        f"First dose {start:f} mg: the site follows the EU/UK SmPC, which starts adults of "
        f"{ESKETAMINE_OLDER_ADULT_AGE} and over at 28 mg (later doses 28, 56 or 84 mg)."
    )


def local_moment(site: Site, day: dt.date, at: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, at, tzinfo=ZoneInfo(site.timezone))


def check_chair(site: Site, chair: int | None, field: str = "chair") -> None:
    if chair is not None and not 1 <= chair <= site.chairs:
        raise PlanRefused(field, f"{site.name} has chairs 1 to {site.chairs}")


def _refuse_second_course(screening: Screening) -> None:
    existing = Course.objects.filter(screening=screening).first()
    if existing is not None:
        raise PlanRefused(
            "screening_id",
            f"this screening already has a course ({existing.protocol_id}, "
            f"{existing.get_status_display().lower()}, from {existing.starts_on:%Y-%m-%d}); "
            "screen the patient again to plan another",
        )


def plan_course(
    screening: Screening, choice: PlanChoice, *, user: Any, request: HttpRequest | None
) -> PlanOutcome:
    """Create the course and its planned sessions, or refuse naming the field and why."""
    if not screening.may_plan:
        raise PlanRefused("screening", "a plan needs a screening a prescriber signed as proceed")
    _refuse_second_course(screening)
    protocol = get_protocol(choice.protocol_id)
    if protocol not in protocols_for(screening):
        raise PlanRefused(
            "protocol_id",
            f"{protocol.id} is not for a {screening.get_route_display()} "
            f"screening in the {screening.setting} setting",
        )
    variant = protocol.variant(choice.variant).name
    patient = screening.patient
    site = patient.site
    check_chair(site, choice.chair)
    spec, dose_field = target_spec(
        protocol, variant, choice.target_dose_mg_per_kg, choice.target_dose_mg
    )
    weight = weight_for_plan(patient, screening)
    sex = screening.inputs.get("sex", "")
    target_text, warnings = dose_text(
        spec, protocol.route, weight.weight_kg, weight.height_cm, sex, dose_field
    )
    try:
        schedule = generate_schedule(
            protocol,
            choice.starts_on,
            site_calendar(site, since=choice.starts_on),
            ScheduleOptions(variant=variant),
        )
    except InputError as error:
        raise PlanRefused("starts_on", error.message) from None
    specs = session_specs(protocol, variant)
    first_doses = {phase.first_dose for phase in _phases(protocol, variant)} - {None}
    at_home = protocol.setting.value == Setting.HOME
    notes = [*filter(None, [weight.stale_message]), *warnings]
    older_start = esketamine_start(protocol, site, patient.age_on(choice.starts_on))
    if older_start is not None:
        notes.append(older_start[1])
    with transaction.atomic():
        Site.objects.select_for_update().filter(pk=site.pk).first()  # one planner per site
        _refuse_second_course(screening)  # again under the lock: two prescribers at once
        book = ChairBook.load(
            site,
            patient.pk,
            local_moment(site, schedule.sessions[0].date, choice.start_time) - _SEARCH_PAD,
            local_moment(site, schedule.sessions[-1].date, choice.start_time) + _SEARCH_PAD,
        )
        placed, kept_same_day = _place_sessions(
            schedule.sessions, specs, protocol, spec, choice, book, at_home, notes
        )
        sessions = []
        for slot in placed:
            if slot.template_dose is None:
                text = ""
            elif slot.template_dose in first_doses:
                text = older_start[0] if older_start else slot.template_dose.render()
            else:
                text = target_text
            sessions.append(
                Session(
                    patient=patient,
                    site=site,
                    number=slot.number,
                    kind=slot.kind,
                    phase=course_phase(slot.phase),
                    planned_start=slot.start,
                    planned_minutes=slot.minutes,
                    chair=slot.chair,
                    planned_dose_text=text,
                )
            )
        course = Course.objects.create(
            patient=patient,
            site=site,
            protocol_id=protocol.id,
            variant=variant,
            indication=choice.indication,
            route=protocol.route.value,
            phase=sessions[0].phase,
            prescriber=user,
            screening=screening,
            target_dose_mg_per_kg=spec.amount if spec.per_kg else None,
            target_dose_mg=None if spec.per_kg else spec.amount,
            infusion_minutes=spec.duration_min if protocol.route is Route.IV else None,
            starts_on=min(s.planned_start for s in sessions)
            .astimezone(ZoneInfo(site.timezone))
            .date(),
            same_day_reason=choice.same_day_reason.strip() if kept_same_day else "",
        )
        for session in sessions:
            session.course = course
        Session.objects.bulk_create(sessions)
        record_event(
            request,
            Action.CREATE,
            object_type="course",
            object_id=course.pk,
            patient=patient,
            detail={
                "protocol": protocol.id,
                "variant": variant,
                "screening": screening.pk,
                "sessions": len(sessions),
                "target_dose": target_text,
                "moved_by_prescriber": sorted(choice.moves),
                "same_day_override": {
                    "sessions": kept_same_day,
                    "reason": choice.same_day_reason.strip(),
                }
                if kept_same_day
                else None,
            },
            actor=user,
        )
    return PlanOutcome(course, tuple(notes))


@dataclass(frozen=True)
class PlacedSession:
    number: int
    phase: str
    kind: str
    template_dose: DoseSpec | None
    start: dt.datetime
    minutes: int
    chair: int | None


def _place_sessions(
    scheduled: tuple[PlannedSession, ...],
    specs: list[tuple[Phase, DoseSpec | None]],
    protocol: Protocol,
    spec: DoseSpec,
    choice: PlanChoice,
    book: ChairBook,
    at_home: bool,
    notes: list[str],
) -> tuple[list[PlacedSession], list[int]]:
    """A time and chair for every session, or ``PlanConflicts`` listing each that has none.

    Returns the placed sessions and the numbers kept on a day the patient is already dosed
    (only with the prescriber's reason).
    """
    site = book.site
    numbers = [planned.number for planned in scheduled]
    unknown = sorted(set(choice.moves) - set(numbers))
    if unknown:
        raise PlanRefused("moves", f"this plan has no session {unknown[0]}")
    days = [
        choice.moves[planned.number].day if planned.number in choice.moves else planned.date
        for planned in scheduled
    ]
    calendar = site_calendar(site, since=min(days[0], choice.starts_on) - _SEARCH_PAD)
    same_day_ok = valid_same_day_reason(choice.same_day_reason)
    placed: list[PlacedSession] = []
    conflicts: list[SessionConflict] = []
    kept: list[int] = []
    for index, planned in enumerate(scheduled):
        phase, template_dose = specs[planned.number - 1]
        kind = session_kind(phase.name, template_dose)
        minutes = slot_minutes(protocol, kind, spec if template_dose else None)
        move = choice.moves.get(planned.number)
        day, at = (move.day, move.at) if move else (planned.date, choice.start_time)
        preferred = (move.chair if move else None) or choice.chair or 1
        when = f"{day:%a %Y-%m-%d} {at:%H:%M}"
        if move and not at_home and not calendar.is_open(day):
            raise PlanRefused("moves", f"session {planned.number}: {site.name} is closed {when}")
        start = local_moment(site, day, at)
        arguments: dict[str, Any] = {
            "start": start,
            "minutes": minutes,
            "kind": kind,
            "at_home": at_home,
        }
        placement = place(book, preferred_chair=preferred, same_day_allowed=False, **arguments)
        only_same_day = all(
            kind == SessionConflictKind.PATIENT_SAME_DAY for kind, _ in placement.problems
        )
        if not placement.ok and same_day_ok and only_same_day:
            placement = place(book, preferred_chair=preferred, same_day_allowed=True, **arguments)
            kept.append(planned.number)
        if not placement.ok:
            suggestion = nearest_free_slot(
                book,
                calendar,
                day=day,
                at=at,
                minutes=minutes,
                kind=kind,
                preferred_chair=preferred,
                at_home=at_home,
                earliest=days[index - 1] + dt.timedelta(days=1) if index else choice.starts_on,
                latest=days[index + 1] - dt.timedelta(days=1) if index + 1 < len(days) else None,
                same_day_allowed=False,
            )
            conflicts.append(
                SessionConflict(
                    planned.number,
                    when,
                    tuple(k for k, _ in placement.problems),
                    tuple(m for _, m in placement.problems),
                    suggestion,
                )
            )
            if suggestion is not None:  # later suggestions must not take the same slot
                moved = local_moment(site, suggestion.day, suggestion.at)
                book.add(moved, moved + dt.timedelta(minutes=minutes), suggestion.chair, kind)
                days[index] = suggestion.day
            continue
        if choice.chair and not at_home and placement.chair != preferred:
            notes.append(
                f"Session {planned.number} ({when}): chair {preferred} is taken, "
                f"placed in chair {placement.chair}."
            )
        book.add(start, start + dt.timedelta(minutes=minutes), placement.chair, kind)
        if planned.shifted_days and not move:
            notes.append(
                f"Session {planned.number} moved {planned.shifted_days:+d} day(s) to "
                f"{planned.date:%a %Y-%m-%d} to keep the clinic calendar."
            )
        placed.append(
            PlacedSession(
                planned.number, planned.phase, kind, template_dose, start, minutes, placement.chair
            )
        )
    if conflicts:
        raise PlanConflicts(conflicts)
    return placed, kept
