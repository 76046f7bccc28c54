"""Patients over the REST API (``/api/v1/patients``): same access rules, same audit."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from ketaclinic.apps.accounts.scoping import get_for_user_or_404, restrict, sites_for
from ketaclinic.apps.api.edge import (
    FieldErrors,
    Page,
    Paging,
    page_body,
    requires,
    responses,
    row_response,
)
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.listing import record_listing
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.patients.forms import PatientForm
from ketaclinic.apps.patients.models import Patient
from ketaclinic.apps.patients.search import search_patients
from ketaclinic.apps.web import clock
from ketaclinic.apps.web.pagination import paginate

router = Router(tags=["patients"])


class PatientOut(Schema):
    id: int
    site_id: int
    mrn: str
    given_name: str
    family_name: str
    date_of_birth: dt.date
    sex_at_birth: str
    gender_identity: str
    pronouns: str
    email: str
    phone: str


class PatientIn(Schema):
    """A new patient. Unknown fields are refused (strict input, STYLE habit 5)."""

    model_config = {"extra": "forbid"}

    site_id: int
    mrn: str = ""
    given_name: str = Field(min_length=1, max_length=100)
    family_name: str = Field(min_length=1, max_length=100)
    date_of_birth: dt.date
    sex_at_birth: str
    gender_identity: str = ""
    pronouns: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    emergency_contact_name: str = ""
    emergency_contact_phone: str = ""
    emergency_contact_relationship: str = ""


@router.get("", response=responses(Page[PatientOut]), summary="Search patients at your sites")
@requires("patients.view_patient")
def list_patients(
    request: HttpRequest,
    paging: Query[Paging],
    q: str = "",
    date_of_birth: dt.date | None = None,
) -> dict:
    patients = restrict(Patient, request.user, "patients.view_patient")
    if q or date_of_birth:
        patients = search_patients(patients, q[:100], date_of_birth)
    result = paginate(
        patients.order_by("family_name", "given_name", "id"), paging.page, paging.page_size
    )
    searched = bool(q or date_of_birth)
    record_listing(
        request,
        "patient",
        [patient.pk for patient in result.items],
        page=result.number,
        search_text=q[:100] if searched else None,
        filters={"date_of_birth": date_of_birth is not None} if searched else None,
    )
    return page_body(result)


@router.get("/{patient_id}", response=responses(PatientOut), summary="One patient")
@requires("patients.view_patient")
def get_patient(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_for_user_or_404(Patient, request.user, "patients.view_patient", pk=patient_id)
    record_event(request, Action.VIEW, object_type="patient", object_id=patient.pk, patient=patient)
    return row_response(PatientOut, patient)


@router.post("", response=responses({201: PatientOut}), summary="Register a patient")
@requires("patients.add_patient")
def create_patient(request: HttpRequest, payload: PatientIn) -> Status[Patient]:
    """Validated by the same form as the page; errors are 422 naming each field."""
    data = payload.dict()
    data["site"] = data.pop("site_id")
    form = PatientForm(
        data, sites=sites_for(request.user, "patients.add_patient"), today=clock.today()
    )
    if not form.is_valid():
        raise FieldErrors(form.errors.get_json_data())
    with transaction.atomic():
        patient = form.save()
        record_event(
            request, Action.CREATE, object_type="patient", object_id=patient.pk, patient=patient
        )
    return Status(201, patient)
