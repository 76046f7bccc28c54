"""Patients over the REST API (``/api/v1/patients``): same access rules, same audit."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from ketaclinic.apps.accounts.scoping import get_for_user_or_404, restrict, sites_for
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.listing import record_listing
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.patients.forms import PatientForm
from ketaclinic.apps.patients.models import Patient
from ketaclinic.apps.patients.search import search_patients
from ketaclinic.apps.web import clock
from ketaclinic.apps.web.pagination import PageNumber, paginate

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


class PatientPage(Schema):
    items: list[PatientOut]
    page: int
    has_next: bool


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


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise HttpError(403, "Your role does not allow this.")


@router.get("", response=PatientPage, summary="Search patients at your sites")
def list_patients(
    request: HttpRequest, q: str = "", date_of_birth: dt.date | None = None, page: PageNumber = 1
) -> dict:
    _require(request, "patients.view_patient")
    patients = restrict(Patient, request.user, "patients.view_patient")
    if q or date_of_birth:
        patients = search_patients(patients, q[:100], date_of_birth)
    result = paginate(patients.order_by("family_name", "given_name", "id"), page)
    searched = bool(q or date_of_birth)
    record_listing(
        request,
        "patient",
        [patient.pk for patient in result.items],
        page=result.number,
        search_text=q[:100] if searched else None,
        filters={"date_of_birth": date_of_birth is not None} if searched else None,
    )
    return {"items": result.items, "page": result.number, "has_next": result.has_next}


@router.get("/{patient_id}", response=PatientOut, summary="One patient")
def get_patient(request: HttpRequest, patient_id: int):
    _require(request, "patients.view_patient")
    patient = get_for_user_or_404(Patient, request.user, "patients.view_patient", pk=patient_id)
    record_event(request, Action.VIEW, object_type="patient", object_id=patient.pk, patient=patient)
    return patient


@router.post("", response={201: PatientOut}, summary="Register a patient")
def create_patient(request: HttpRequest, payload: PatientIn):
    """Validated by the same form as the page; errors are 422 naming each field."""
    _require(request, "patients.add_patient")
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
    return 201, patient


class FieldErrors(Exception):
    """Form errors for the API: rendered as 422 ``{"errors": [{"field", "message", "code"}]}``."""

    def __init__(self, errors: dict) -> None:
        super().__init__("invalid input")
        self.errors = [
            {
                "field": "site_id" if field == "site" else field,
                "message": e["message"],
                "code": e["code"],
            }
            for field, field_errors in errors.items()
            for e in field_errors
        ]
