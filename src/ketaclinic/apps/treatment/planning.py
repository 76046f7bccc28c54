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
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db import transaction

from ketaclinic.apps.accounts.models import Site
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.treatment.chairs import ChairBook
from ketaclinic.apps.treatment.choices import (
    CoursePhase,
    CourseStatus,
    SessionKind,
    SessionStatus,
    Setting,
)
from ketaclinic.apps.treatment.models import Course, Screening, Session
from ketaclinic.apps.treatment.site_calendar import site_calendar
from ketaclinic.apps.treatment.transitions import transition_session
from ketaclinic.apps.web import clock
from ketaclinic.clinical.body_weight import Sex
from ketaclinic.clinical.exceptions import InputError
from ketaclinic.clinical.planned_dose import calculate_planned_dose
from ketaclinic.clinical.protocols import PROTOCOLS, DoseSpec, Phase, Protocol, get_protocol
from ketaclinic.clinical.routes import Route
from ketaclinic.clinical.schedule import ScheduleOptions, generate_schedule

if TYPE_CHECKING:
    from django.http import HttpRequest

    from ketaclinic.apps.patients.models import Patient

DEFAULT_START_TIME = dt.time(9, 0)


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


def _weight_height(patient: Patient, screening: Screening) -> tuple[Decimal, Decimal | None]:
    latest = patient.measurements.first()
    if latest is not None:
        return latest.weight_kg, latest.height_cm
    height = screening.inputs.get("height_cm")
    return Decimal(str(screening.inputs["weight_kg"])), (
        Decimal(str(height)) if height is not None else None
    )


def _target_spec(
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


def _local(site: Site, day: dt.date, at: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, at, tzinfo=ZoneInfo(site.timezone))


def _check_chair(site: Site, chair: int | None, field: str = "chair") -> None:
    if chair is not None and not 1 <= chair <= site.chairs:
        raise PlanRefused(field, f"{site.name} has chairs 1 to {site.chairs}")


def plan_course(
    screening: Screening, choice: PlanChoice, *, user: Any, request: HttpRequest | None
) -> PlanOutcome:
    """Create the course and its planned sessions, or refuse naming the field and why."""
    if not screening.may_plan:
        raise PlanRefused("screening", "a plan needs a screening a prescriber signed as proceed")
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
    _check_chair(site, choice.chair)
    spec, dose_field = _target_spec(
        protocol, variant, choice.target_dose_mg_per_kg, choice.target_dose_mg
    )
    weight_kg, height_cm = _weight_height(patient, screening)
    sex = screening.inputs.get("sex", "")
    target_text, warnings = dose_text(spec, protocol.route, weight_kg, height_cm, sex, dose_field)
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
    notes = list(warnings)
    with transaction.atomic():
        Site.objects.select_for_update().filter(pk=site.pk).first()  # one planner per site
        first = _local(site, schedule.sessions[0].date, choice.start_time)
        last = _local(site, schedule.sessions[-1].date, choice.start_time)
        book = ChairBook.load(site, patient.pk, first, last)
        sessions = []
        for planned in schedule.sessions:
            phase, template_dose = specs[planned.number - 1]
            kind = session_kind(phase.name, template_dose)
            minutes = slot_minutes(protocol, kind, spec if template_dose else None)
            start = _local(site, planned.date, choice.start_time)
            end = start + dt.timedelta(minutes=minutes)
            when = f"{planned.date:%a %Y-%m-%d} {choice.start_time:%H:%M}"
            if book.patient_clash(start, end):
                raise PlanRefused(
                    "start_time",
                    f"session {planned.number} ({when}) overlaps another session of this "
                    "patient; choose another time",
                )
            chair = None
            if not at_home:
                preferred = choice.chair or 1
                chair = book.free_chair(preferred, start, end)
                if chair is None:
                    raise PlanRefused(
                        "start_time",
                        f"no chair is free for session {planned.number} ({when}, {minutes} min):"
                        f" all {site.chairs} are taken; choose another time",
                    )
                if choice.chair and chair != preferred:
                    notes.append(
                        f"Session {planned.number} ({when}): chair {preferred} is taken, "
                        f"placed in chair {chair}."
                    )
            book.add(start, end, chair)
            if template_dose is None:
                text = ""
            elif template_dose in first_doses:
                text = template_dose.render()
            else:
                text = target_text
            if planned.shifted_days:
                notes.append(
                    f"Session {planned.number} moved {planned.shifted_days:+d} day(s) to "
                    f"{planned.date:%a %Y-%m-%d} to keep the clinic calendar."
                )
            sessions.append(
                Session(
                    patient=patient,
                    site=site,
                    number=planned.number,
                    kind=kind,
                    phase=course_phase(planned.phase),
                    planned_start=start,
                    planned_minutes=minutes,
                    chair=chair,
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
            starts_on=schedule.sessions[0].date,
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
            },
            actor=user,
        )
    return PlanOutcome(course, tuple(notes))


def reschedule_session(
    session: Session,
    *,
    day: dt.date,
    at: dt.time,
    chair: int | None,
    user: Any,
    request: HttpRequest | None,
    reason: str = "",
) -> tuple[Session, tuple[str, ...]]:
    """Move a planned session to another day, time or chair, refusing any conflict.

    The day must be open at the site (not a holiday); another session of the same course may
    not fall on it; with no chair given the current one is kept when free, else the next free.
    """
    with transaction.atomic():
        Site.objects.select_for_update().filter(pk=session.site_id).first()
        locked = (
            Session.objects.select_related("site", "course")
            .select_for_update(of=("self",))
            .get(pk=session.pk)
        )
        site = locked.site
        if locked.status != SessionStatus.PLANNED:
            raise PlanRefused(
                "day", f"only a planned session can move; this one is {locked.get_status_display()}"
            )
        _check_chair(site, chair)
        at_home = (
            locked.chair is None
            and get_protocol(locked.course.protocol_id).setting.value == Setting.HOME
        )
        if not at_home and not site_calendar(site, since=day).is_open(day):
            raise PlanRefused("day", f"{site.name} is closed on {day:%a %Y-%m-%d}")
        start = _local(site, day, at)
        end = start + dt.timedelta(minutes=locked.planned_minutes)
        same_day = (
            Session.objects.filter(course_id=locked.course_id)
            .exclude(pk=locked.pk)
            .exclude(status__in=(SessionStatus.CANCELLED, SessionStatus.NO_SHOW))
        )
        tz = ZoneInfo(site.timezone)
        if any(s.planned_start.astimezone(tz).date() == day for s in same_day):
            raise PlanRefused("day", "another session of this course is on that day")
        book = ChairBook.load(site, locked.patient_id, start, end, exclude_session_id=locked.pk)
        if book.patient_clash(start, end):
            raise PlanRefused("at", "the patient has another session at that time")
        notes: list[str] = []
        new_chair = None
        if not at_home:
            wanted = chair or locked.chair or 1
            new_chair = book.free_chair(wanted, start, end)
            if new_chair is None:
                raise PlanRefused("at", f"no chair is free at {at:%H:%M} on {day:%Y-%m-%d}")
            if new_chair != wanted:
                if chair is not None:
                    raise PlanRefused(
                        "chair", f"chair {chair} is taken then; chair {new_chair} is free"
                    )
                notes.append(f"Chair {wanted} is taken then; placed in chair {new_chair}.")
        before = {"start": locked.planned_start.isoformat(), "chair": locked.chair}
        locked.planned_start = start
        locked.chair = new_chair
        locked.save(update_fields=["planned_start", "chair"])
        record_event(
            request,
            Action.UPDATE,
            object_type="session",
            object_id=locked.pk,
            patient=locked.patient,
            detail={
                "change": "reschedule",
                "from": before,
                "to": {"start": start.isoformat(), "chair": new_chair},
                "reason": reason.strip(),
            },
            actor=user,
        )
    return locked, tuple(notes)


def change_target_dose(
    course: Course,
    *,
    mg_per_kg: Decimal | None,
    mg: Decimal | None,
    reason: str,
    user: Any,
    request: HttpRequest | None,
) -> Course:
    """Set a new target dose and re-word the planned dosing sessions; audited with the reason."""
    if not reason.strip():
        raise PlanRefused("reason", "say why the dose changes")
    if mg_per_kg is None and mg is None:
        raise PlanRefused("target_dose_mg_per_kg", "give the new dose")
    protocol = get_protocol(course.protocol_id)
    variant = course.variant or None
    spec, field = _target_spec(protocol, variant, mg_per_kg, mg)
    patient = course.patient
    screening = course.screening
    latest = patient.measurements.first()
    if latest is not None:
        weight_kg, height_cm = latest.weight_kg, latest.height_cm
    elif screening is not None:
        weight_kg, height_cm = _weight_height(patient, screening)
    else:
        raise PlanRefused(field, "record the patient's weight first")
    sex = screening.inputs.get("sex", "") if screening else patient.sex_at_birth
    text, _warnings = dose_text(spec, protocol.route, weight_kg, height_cm, sex, field)
    specs = session_specs(protocol, variant)
    first_doses = {phase.first_dose for phase, _ in specs} - {None}
    with transaction.atomic():
        before = {
            "mg_per_kg": str(course.target_dose_mg_per_kg or ""),
            "mg": str(course.target_dose_mg or ""),
        }
        course.target_dose_mg_per_kg = spec.amount if spec.per_kg else None
        course.target_dose_mg = None if spec.per_kg else spec.amount
        course.save(update_fields=["target_dose_mg_per_kg", "target_dose_mg"])
        planned = course.sessions.filter(status=SessionStatus.PLANNED, kind=SessionKind.DOSING)
        for session in planned:
            template = specs[session.number - 1][1] if session.number <= len(specs) else None
            if template is not None and template not in first_doses:
                session.planned_dose_text = text
                session.save(update_fields=["planned_dose_text"])
        record_event(
            request,
            Action.UPDATE,
            object_type="course",
            object_id=course.pk,
            patient=patient,
            detail={"change": "target_dose", "from": before, "to": text, "reason": reason.strip()},
            actor=user,
        )
    return course


_STATUS_MOVES = {
    CourseStatus.PLANNED: (CourseStatus.PAUSED, CourseStatus.STOPPED),
    CourseStatus.ACTIVE: (CourseStatus.PAUSED, CourseStatus.STOPPED),
    CourseStatus.PAUSED: (CourseStatus.STOPPED,),
}


def change_course_status(
    course: Course, *, status: str, reason: str, user: Any, request: HttpRequest | None
) -> tuple[Course, int]:
    """Pause or stop a course with a reason; its upcoming planned sessions are cancelled.

    Each cancellation is a recorded session transition (with the same reason), so the
    chairs are free again. Returns the course and how many sessions were cancelled.
    """
    if not reason.strip():
        raise PlanRefused("reason", "say why")
    if status not in _STATUS_MOVES.get(course.status, ()):
        raise PlanRefused(
            "status",
            f"a {course.get_status_display().lower()} course cannot become "
            f"{CourseStatus(status).label.lower()}",
        )
    now = clock.now()
    with transaction.atomic():
        upcoming = list(
            course.sessions.filter(status=SessionStatus.PLANNED, planned_start__gte=now)
        )
        for session in upcoming:
            transition_session(
                session, SessionStatus.CANCELLED, user=user, reason=reason.strip(), request=request
            )
        before = course.status
        course.status = status
        course.status_reason = reason.strip()
        fields = ["status", "status_reason"]
        if status == CourseStatus.STOPPED:
            course.ended_on = max(clock.today(course.site.timezone), course.starts_on)
            fields.append("ended_on")
        course.save(update_fields=fields)
        record_event(
            request,
            Action.UPDATE,
            object_type="course",
            object_id=course.pk,
            patient=course.patient,
            detail={
                "change": "status",
                "from": before,
                "to": status,
                "reason": reason.strip(),
                "cancelled_sessions": len(upcoming),
            },
            actor=user,
        )
    return course, len(upcoming)
