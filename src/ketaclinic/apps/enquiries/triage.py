"""The changes of an enquiry's life, each one transaction with its event and audit record.

Every change takes the enquiry's row lock and checks the status it starts from, so two people
working the queue at once cannot both convert (or decline a converted) enquiry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q

from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.enquiries.choices import (
    OTHER_CONDITION,
    ContactOutcome,
    EnquiryStatus,
    EventKind,
)
from ketaclinic.apps.enquiries.models import Enquiry, EnquiryEvent
from ketaclinic.apps.patients.models import Condition, Patient
from ketaclinic.apps.web import clock

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = [
    "ALLOWED",
    "TransitionRefused",
    "convert_to_patient",
    "decline",
    "log_contact_attempt",
    "patient_initial",
    "possible_existing_patients",
    "schedule_intake",
]

S = EnquiryStatus
# Where each status may go next; converted and declined are final.
ALLOWED: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.NEW, S.CONTACTED, S.SCHEDULED, S.CONVERTED, S.DECLINED}),
    S.CONTACTED: frozenset({S.CONTACTED, S.SCHEDULED, S.CONVERTED, S.DECLINED}),
    S.SCHEDULED: frozenset({S.SCHEDULED, S.CONVERTED, S.DECLINED}),
    S.CONVERTED: frozenset(),
    S.DECLINED: frozenset(),
}


class TransitionRefused(Exception):
    """The enquiry is not in a status this step can start from (often: someone was quicker)."""

    def __init__(self, enquiry: Enquiry, to_status: str) -> None:
        self.enquiry = enquiry
        self.to_status = to_status
        super().__init__(
            f"enquiry {enquiry.pk} is {enquiry.get_status_display().lower()}; "
            f"it cannot become {EnquiryStatus(to_status).label.lower()}"
        )


def _step(
    enquiry: Enquiry,
    to_status: str | Callable[[str], str],
    kind: str,
    *,
    user: Any,
    request: HttpRequest | None,
    changes: Callable[[Enquiry], dict[str, Any]] | None = None,
    **event_fields: Any,
) -> Enquiry:
    """Apply one step to the locked row: ``to_status`` and ``changes`` may depend on it."""
    now = clock.now()
    with transaction.atomic():
        locked = Enquiry.objects.select_for_update().get(pk=enquiry.pk)
        from_status = locked.status
        if callable(to_status):
            to_status = to_status(from_status)
        if to_status not in ALLOWED[from_status]:
            raise TransitionRefused(locked, to_status)
        for name, value in (changes(locked) if changes else {}).items():
            setattr(locked, name, value)
        if to_status != from_status:
            locked.status = to_status
            locked.status_changed_at = now
        locked.save()
        EnquiryEvent.objects.create(
            enquiry=locked,
            kind=kind,
            from_status=from_status,
            to_status=to_status,
            actor=user,
            occurred_at=now,
            **event_fields,
        )
        record_event(
            request,
            Action.UPDATE,
            object_type="enquiry",
            object_id=locked.pk,
            site=locked.site_id,
            patient=locked.patient,
            detail={"event": kind, "from": from_status, "to": to_status},
        )
    return locked


def log_contact_attempt(
    enquiry: Enquiry,
    *,
    user: Any,
    method: str,
    outcome: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> Enquiry:
    """Record one attempt; reaching the person moves a new enquiry to contacted."""

    def next_status(current: str) -> str:
        if current == S.NEW and outcome == ContactOutcome.REACHED:
            return S.CONTACTED
        # A closed enquiry takes no more attempts: CONTACTED is not allowed from it.
        return current if current in ALLOWED[current] else S.CONTACTED

    return _step(
        enquiry,
        next_status,
        EventKind.CONTACT_ATTEMPT,
        user=user,
        request=request,
        changes=lambda locked: {
            "contact_attempts": locked.contact_attempts + 1,
            "last_contact_at": clock.now(),
        },
        contact_method=method,
        contact_outcome=outcome,
        note=note,
    )


def schedule_intake(
    enquiry: Enquiry,
    *,
    user: Any,
    intake_at: dt.datetime,
    note: str = "",
    request: HttpRequest | None = None,
) -> Enquiry:
    """Book (or move) the intake appointment."""
    return _step(
        enquiry,
        S.SCHEDULED,
        EventKind.INTAKE_SCHEDULED,
        user=user,
        request=request,
        changes=lambda _locked: {"intake_at": intake_at},
        intake_at=intake_at,
        note=note,
    )


def decline(
    enquiry: Enquiry, *, user: Any, reason: str, request: HttpRequest | None = None
) -> Enquiry:
    """Close the enquiry; a reason is required (the database refuses a declined one without)."""
    reason = reason.strip()
    if not reason:
        raise ValueError("reason: say why the enquiry is declined")
    return _step(
        enquiry,
        S.DECLINED,
        EventKind.DECLINED,
        user=user,
        request=request,
        changes=lambda _locked: {"declined_reason": reason},
        note=reason,
    )


def possible_existing_patients(enquiry: Enquiry, limit: int = 5) -> list[Patient]:
    """Patients of the enquiry's site who may be this person: the same family name and date
    of birth, or the same email or phone — so a returning patient is linked, not duplicated."""
    same = Q(family_name__iexact=enquiry.family_name, date_of_birth=enquiry.date_of_birth)
    if enquiry.email:
        same |= Q(email__iexact=enquiry.email)
    if enquiry.phone:
        same |= Q(phone=enquiry.phone)
    return list(Patient.objects.filter(same, site_id=enquiry.site_id).order_by("mrn")[:limit])


def patient_initial(enquiry: Enquiry) -> dict[str, Any]:
    """What the new-patient form starts with: everything the person already told us."""
    return {
        "site": enquiry.site_id,
        "given_name": enquiry.given_name,
        "family_name": enquiry.family_name,
        "date_of_birth": enquiry.date_of_birth,
        "sex_at_birth": enquiry.sex_at_birth,
        "email": enquiry.email,
        "phone": enquiry.phone,
    }


def convert_to_patient(
    enquiry: Enquiry,
    *,
    user: Any,
    save_patient: Any = None,
    patient: Patient | None = None,
    request: HttpRequest | None = None,
) -> Enquiry:
    """Turn the enquiry into a patient — a new one (``save_patient()`` saves the confirmed
    form) or one the site already has (``patient``) — and link the two.

    A coded condition becomes the new patient's primary condition.
    """
    with transaction.atomic():
        created = patient is None
        if created:
            patient = save_patient()
            if enquiry.condition != OTHER_CONDITION:
                Condition.objects.create(patient=patient, code=enquiry.condition, primary=True)
            record_event(
                request,
                Action.CREATE,
                object_type="patient",
                object_id=patient.pk,
                patient=patient,
                detail={"from_enquiry": enquiry.pk},
            )
        now = clock.now()
        return _step(
            enquiry,
            S.CONVERTED,
            EventKind.CONVERTED,
            user=user,
            request=request,
            changes=lambda _locked: {"patient": patient, "converted_at": now},
            note=f"{'New' if created else 'Existing'} patient {patient.mrn}",
        )
