"""The home program over the REST API (``/api/v1/homeprogram``).

Same access, rules and audit as the pages: input goes through the pages' forms
(``PrescriptionForm``, ``RefillForm``, ``PillCountForm``), so the Schedule III limits and the
early-refill line refuse the same things with the same words, as 422 naming the field. A
patient of another site is a 404; a role without the permission gets 403. Check-in reports
are in the detail only for roles that read them (front desk sees the calendar's status).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from ketaclinic.apps.accounts.scoping import get_for_user_or_404
from ketaclinic.apps.api.edge import FieldErrors, Page, Paging, page_of, requires, responses
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.homeprogram.forms import PillCountForm, PrescriptionForm, RefillForm
from ketaclinic.apps.homeprogram.models import HomePrescription, PillCount, RefillDispensing
from ketaclinic.apps.homeprogram.program import (
    calendar_for,
    record_pill_count,
    troches_taken,
    write_prescription,
)
from ketaclinic.apps.homeprogram.refills import (
    RefillRefused,
    dispensings_of,
    next_refill_on,
    places_for,
    record_refill,
)
from ketaclinic.apps.patients.models import Patient
from ketaclinic.clinical.home_checkins import MAX_REFILLS

router = Router(tags=["home program"])

VIEW = "homeprogram.view_homeprescription"
VIEW_CHECK_INS = "homeprogram.view_homecheckin"
PRESCRIBE = "homeprogram.add_homeprescription"
COUNT = "homeprogram.add_pillcount"


class PrescriptionOut(Schema):
    id: int
    patient_id: int
    course_id: int
    prescriber_id: int
    product: str
    strength_mg: Decimal
    quantity_dispensed: int
    refills_authorised: int
    refills_until: dt.date | None
    written_on: dt.date
    dose_per_session_mg: Decimal
    max_doses_per_week: int
    first_home_dose_on: dt.date
    directions: str


class PrescriptionIn(Schema):
    """A home prescription. Amounts are decimal text ("100", "12.5"); unknown fields refused."""

    model_config = {"extra": "forbid"}

    course_id: int
    product: str = Field("Ketamine HCl sublingual troche", max_length=120)
    strength_mg: str = Field(description='Decimal text, e.g. "100"')
    quantity_dispensed: int
    refills_authorised: int = 0
    refills_until: dt.date | None = None
    written_on: dt.date
    dose_per_session_mg: str = Field(description='Decimal text, e.g. "200"')
    max_doses_per_week: int = 2
    first_home_dose_on: dt.date
    directions: str = ""


class CheckInOut(Schema):
    planned_on: dt.date
    dose_taken: bool
    taken_at: dt.datetime | None
    amount_mg: Decimal
    responsible_adult_present: bool
    mood_0_10: int
    anxiety_0_10: int
    suicidal_thoughts: bool
    side_effects: list[str]
    side_effect_severity: str
    bp_systolic: int | None
    bp_diastolic: int | None
    findings: list[dict]


class CalendarDayOut(Schema):
    planned_on: dt.date
    status: str
    check_in: CheckInOut | None = Field(
        None, description="Only for roles that read check-in reports."
    )


class RefillOut(Schema):
    id: int
    dispensed_on: dt.date
    quantity: int
    dispensed_at: str
    pharmacy: str
    note: str
    recorded_by_id: int
    recorded_at: dt.datetime


class RefillIn(Schema):
    model_config = {"extra": "forbid"}

    dispensed_on: dt.date
    quantity: int
    dispensed_at: str = Field(description="pharmacy or in_clinic")
    pharmacy: str = Field("", max_length=120)
    note: str = ""


class PillCountOut(Schema):
    id: int
    counted_on: dt.date
    counted: Decimal
    dispensed: int
    reported_taken: Decimal
    expected_on_hand: Decimal
    discrepancy: Decimal
    note: str
    counted_by_id: int


class PillCountIn(Schema):
    model_config = {"extra": "forbid"}

    counted_on: dt.date
    counted: str = Field(description='Troches counted, decimal text (halves allowed): "4.5"')
    note: str = ""


class ReconciliationOut(Schema):
    dispensed: int = Field(description="First fill plus every refill.")
    reported_taken: Decimal | None = Field(
        None, description="Troches the check-ins report taken; only for roles that read them."
    )
    refills_dispensed: int
    refills_left: int = Field(description="By count (the six-month limit is judged on the day).")
    next_refill_on: dt.date | None


class PrescriptionDetailOut(PrescriptionOut):
    calendar: list[CalendarDayOut]
    refills: list[RefillOut]
    pill_counts: list[PillCountOut]
    reconciliation: ReconciliationOut


def _prescription(
    request: HttpRequest, prescription_id: int, *permissions: str
) -> HomePrescription:
    """One prescription at a site where the user holds ``permissions`` (else 404)."""
    prescriptions = HomePrescription.objects.select_related("patient", "course")
    return get_for_user_or_404(prescriptions, request.user, VIEW, *permissions, pk=prescription_id)


def _form_errors(form) -> FieldErrors:
    """Non-field errors (the refill count) are about the prescription itself."""
    errors = form.errors.get_json_data()
    if "__all__" in errors:
        errors["prescription_id"] = errors.pop("__all__")
    return FieldErrors(errors)


@router.get(
    "/patients/{patient_id}/prescriptions",
    response=responses(Page[PrescriptionOut]),
    summary="A patient's home prescriptions, newest first",
)
@requires(VIEW)
def list_prescriptions(request: HttpRequest, patient_id: int, paging: Query[Paging]) -> dict:
    patient = get_for_user_or_404(Patient, request.user, "patients.view_patient", pk=patient_id)
    body = page_of(
        HomePrescription.objects.filter(patient=patient).order_by("-written_on", "-id"), paging
    )
    record_event(
        request,
        Action.VIEW,
        object_type="home_prescription",
        patient=patient,
        detail={"api": True, "list": [rx.pk for rx in body["items"]]},
    )
    return body


@router.get(
    "/prescriptions/{prescription_id}",
    response=responses(PrescriptionDetailOut),
    summary="One prescription: calendar, check-ins, refills, pill counts, reconciliation",
)
@requires(VIEW)
def get_prescription(request: HttpRequest, prescription_id: int) -> dict[str, Any]:
    rx = _prescription(request, prescription_id)
    reads_reports = request.user.has_perm(VIEW_CHECK_INS)
    check_ins = list(rx.check_ins.all())
    refills = list(rx.refills.all())
    calendar = [
        {
            "planned_on": day.planned_on,
            "status": day.status,
            "check_in": day.check_in if reads_reports else None,
        }
        for day in calendar_for(rx, check_ins)
    ]
    allowed = min(rx.refills_authorised, MAX_REFILLS)
    record_event(
        request,
        Action.VIEW,
        object_type="home_prescription",
        object_id=rx.pk,
        patient=rx.patient,
        detail={"api": True, "check_ins": reads_reports},
    )
    return {
        **PrescriptionOut.model_validate(rx).model_dump(),
        "calendar": calendar,
        "refills": refills,
        "pill_counts": list(rx.pill_counts.all()),
        "reconciliation": {
            "dispensed": sum(dispensings_of(rx, refills)),
            "reported_taken": troches_taken(rx) if reads_reports else None,
            "refills_dispensed": len(refills),
            "refills_left": max(0, allowed - len(refills)),
            "next_refill_on": next_refill_on(rx),
        },
    }


@router.post(
    "/patients/{patient_id}/prescriptions",
    response=responses({201: PrescriptionOut}),
    summary="Write a home prescription (Schedule III limits as on the page)",
)
@requires(VIEW, PRESCRIBE)
def create_prescription(
    request: HttpRequest, patient_id: int, payload: PrescriptionIn
) -> Status[HomePrescription]:
    patient = get_for_user_or_404(
        Patient, request.user, "patients.view_patient", PRESCRIBE, pk=patient_id
    )
    data = payload.dict()
    data["course"] = data.pop("course_id")
    form = PrescriptionForm(data, patient=patient)
    if not form.is_valid():
        raise _form_errors(form)
    return Status(
        201, write_prescription(form, patient=patient, prescriber=request.user, request=request)
    )


@router.post(
    "/prescriptions/{prescription_id}/refills",
    response=responses({201: RefillOut}),
    summary="Record a refill (prescribers and the director; nurses in clinic only)",
)
@requires(VIEW)
def create_refill(
    request: HttpRequest, prescription_id: int, payload: RefillIn
) -> Status[RefillDispensing]:
    if not places_for(request.user):
        raise HttpError(403, "Your role does not allow this.")
    rx = _prescription(request, prescription_id)
    form = RefillForm(payload.dict(), prescription=rx, user=request.user)
    if not form.is_valid():
        raise _form_errors(form)
    try:
        refill = record_refill(rx, user=request.user, request=request, **form.cleaned_data)
    except RefillRefused as refused:
        raise FieldErrors(
            {
                p.field if p.field in form.fields else "prescription_id": [
                    {"message": p.message, "code": p.field}
                ]
                for p in refused.problems
            }
        ) from None
    return Status(201, refill)


@router.post(
    "/prescriptions/{prescription_id}/pill-counts",
    response=responses({201: PillCountOut}),
    summary="Record a pill count, reconciled with every dispensing and the check-ins",
)
@requires(VIEW, COUNT)
def create_pill_count(
    request: HttpRequest, prescription_id: int, payload: PillCountIn
) -> Status[PillCount]:
    rx = _prescription(request, prescription_id, COUNT)
    form = PillCountForm(payload.dict())
    if not form.is_valid():
        raise _form_errors(form)
    count = record_pill_count(
        prescription=rx,
        counted=form.cleaned_data["counted"],
        counted_on=form.cleaned_data["counted_on"],
        note=form.cleaned_data["note"],
        counted_by=request.user,
        request=request,
    )
    return Status(201, count)
