"""Starting a KAP program on a course and closing it: the rules and the audited writes."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction

from ketaclinic.apps.accounts.models import User
from ketaclinic.apps.accounts.scoping import staff_holding
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.kap.choices import ProgramStatus
from ketaclinic.apps.kap.models import KapProgram
from ketaclinic.apps.kap.refusals import KapRefused
from ketaclinic.apps.treatment.models import Course
from ketaclinic.clinical.exceptions import InputError, InvalidValue

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest

MAX_GOALS = 2000


def therapists_at(site_id: int) -> QuerySet[User]:
    """Active staff at the site who may write KAP notes (by permission, not role name)."""
    return staff_holding("kap.add_kapnote", site_id).order_by("last_name", "first_name", "username")


def start_program(
    course: Course,
    *,
    therapist: User,
    co_therapist: User | None,
    goals: str,
    starts_on: dt.date,
    user: Any,
    now: dt.datetime,
    request: HttpRequest | None,
) -> KapProgram:
    """A program on ``course``; every problem is reported at once, each naming its field."""
    goals = goals.strip()
    errors: list[InputError] = []
    if KapProgram.objects.filter(course=course).exists():
        errors.append(InvalidValue("course", "already has a KAP program"))
    allowed = set(therapists_at(course.site_id).values_list("pk", flat=True))
    if therapist.pk not in allowed:
        errors.append(InvalidValue("therapist", "is not a therapist at this course's site"))
    if co_therapist is not None:
        if co_therapist.pk == therapist.pk:
            errors.append(InvalidValue("co_therapist", "must be someone other than the therapist"))
        elif co_therapist.pk not in allowed:
            errors.append(InvalidValue("co_therapist", "is not a therapist at this course's site"))
    if not goals:
        errors.append(InvalidValue("goals", "write what the patient hopes the program changes"))
    elif len(goals) > MAX_GOALS:
        errors.append(InvalidValue("goals", f"is longer than {MAX_GOALS} characters"))
    if course.ended_on is not None and starts_on > course.ended_on:
        errors.append(InvalidValue("starts_on", "is after the course ended"))
    if errors:
        raise KapRefused(errors)
    try:
        with transaction.atomic():
            program = KapProgram.objects.create(
                patient_id=course.patient_id,
                site_id=course.site_id,
                course=course,
                therapist=therapist,
                co_therapist=co_therapist,
                prescriber_id=course.prescriber_id,
                starts_on=starts_on,
                goals=goals,
                created_by=user,
                created_at=now,
            )
            record_event(
                request,
                Action.CREATE,
                object_type="kap_program",
                object_id=program.pk,
                patient=course.patient,
                detail={
                    "course": course.pk,
                    "therapist": therapist.pk,
                    "co_therapist": co_therapist.pk if co_therapist else None,
                },
            )
    except IntegrityError:
        raise KapRefused([InvalidValue("course", "already has a KAP program")]) from None
    return program


def close_program(
    program: KapProgram,
    *,
    status: str,
    ended_on: dt.date,
    reason: str,
    request: HttpRequest | None,
) -> KapProgram:
    """Completed or ended early, on a date not before it started; ending early needs a why."""
    reason = reason.strip()
    errors: list[InputError] = []
    if program.status != ProgramStatus.ACTIVE:
        errors.append(InvalidValue("status", "the program is already closed"))
    if status not in (ProgramStatus.COMPLETED, ProgramStatus.STOPPED):
        errors.append(InvalidValue("status", "choose completed or ended early"))
    if ended_on < program.starts_on:
        errors.append(InvalidValue("ended_on", "is before the program started"))
    if status == ProgramStatus.STOPPED and not reason:
        errors.append(InvalidValue("end_reason", "say why the program ended early"))
    if errors:
        raise KapRefused(errors)
    with transaction.atomic():
        program.status = status
        program.ended_on = ended_on
        program.end_reason = reason
        program.save(update_fields=["status", "ended_on", "end_reason"])
        record_event(
            request,
            Action.UPDATE,
            object_type="kap_program",
            object_id=program.pk,
            patient=program.patient,
            detail={"status": status, "ended_on": ended_on.isoformat()},
        )
    return program
