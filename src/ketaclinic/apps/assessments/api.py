"""Assessments and scales over the REST API (``/api/v1/assessments``, ``/api/v1/scales``).

Scores come from the clinical core; bad answers are 422 naming the item
(``{"errors": [{"field": "item9", ...}]}``). Answers are strict whole numbers (``"1"``,
``1.0`` and ``true`` are refused), keyed by item.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import AwareDatetime, StrictInt

from ketaclinic.apps.accounts.scoping import get_for_user_or_404, restrict
from ketaclinic.apps.api.edge import Page, Paging, page_body, page_of, requires, responses
from ketaclinic.apps.assessments.models import Assessment
from ketaclinic.apps.assessments.recording import (
    AlreadyCorrected,
    correct_assessment,
    record_assessment,
)
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.patients.models import Patient
from ketaclinic.apps.treatment.models import Session
from ketaclinic.apps.web.pagination import paginate
from ketaclinic.apps.web.record_ids import RecordId
from ketaclinic.clinical.exceptions import InputError
from ketaclinic.clinical.scales import INSTRUMENTS, describe, list_scales, score

router = Router(tags=["assessments"])
scales_router = Router(tags=["scales"])

VIEW = "assessments.view_assessment"
ADD = "assessments.add_assessment"

Answers = dict[str, StrictInt | None]


class AssessmentIn(Schema):
    """A clinician-entered assessment. Unknown fields are refused."""

    model_config = {"extra": "forbid"}

    patient_id: int
    instrument: str = Field(description="A scale id from GET /api/v1/scales, e.g. phq9")
    answers: Answers = Field(description='By item key: {"item1": 2, ...}; null = not asked')
    taken_at: AwareDatetime
    session_id: RecordId | None = None


class CorrectionIn(Schema):
    model_config = {"extra": "forbid"}

    answers: Answers
    reason: str = Field(min_length=1, max_length=1000)


class ScoreIn(Schema):
    model_config = {"extra": "forbid"}

    answers: Answers


class FlagOut(Schema):
    code: str
    item: str | None
    level: str
    message: str


class AssessmentOut(Schema):
    id: int
    patient_id: int
    site_id: int
    instrument: str
    instrument_version: str
    answers: dict[str, int]
    total: int | None
    max_total: int | None
    band: str
    band_label: str
    subscores: dict[str, int]
    indicators: dict[str, bool]
    flags: list[FlagOut]
    has_alert: bool
    source: str
    entered_by_id: int | None
    taken_at: dt.datetime
    session_id: int | None
    corrects_id: int | None
    correction_reason: str
    superseded_by_id: int | None
    created_at: dt.datetime

    @staticmethod
    def resolve_superseded_by_id(obj: Assessment) -> int | None:
        try:
            return obj.superseded_by.pk
        except Assessment.superseded_by.RelatedObjectDoesNotExist:
            return None


class ScoreOut(Schema):
    scale: str
    version: str
    total: int | None
    max_total: int | None
    band: str | None
    band_label: str | None
    subscores: dict[str, int]
    indicators: dict[str, bool]
    flags: list[FlagOut]
    has_alert: bool


class OptionOut(Schema):
    value: int
    label: str


class ItemOut(Schema):
    number: int
    key: str
    label: str
    text: str | None
    options: list[OptionOut]
    scored: bool
    required: bool
    asked_if: Any = Field(None, description="The condition under which the item is asked.")


class ScaleDefinitionOut(Schema):
    """An instrument as published: items and options, bands, rules, and the full sources."""

    id: str
    title: str
    version: str
    rater: str
    items: list[ItemOut]
    scoring: str
    licence: str
    recall_period: str
    max_total: int | None
    loinc_panel: str | None
    loinc_total: str | None
    notes: list[str]
    sources: list[dict[str, Any]]
    bands: list[dict[str, Any]]
    cutoffs: list[dict[str, Any]]
    subscales: list[dict[str, Any]]
    domains: list[dict[str, Any]]
    symptom_rules: list[dict[str, Any]]
    safety_rules: list[dict[str, Any]]
    triage: list[dict[str, Any]]
    outcome: dict[str, Any] | None


class ScaleSummary(Schema):
    id: str
    title: str
    version: str
    rater: str
    items: int
    max_total: int | None
    licence: str


def _visible(request: HttpRequest, permission: str = VIEW):
    return Assessment.objects.filter(
        patient__in=restrict(Patient, request.user, permission)
    ).select_related("superseded_by")


@router.post(
    "",
    response=responses({201: AssessmentOut}),
    summary="Enter an assessment (scored by the core)",
)
@requires(ADD)
def create_assessment(request: HttpRequest, payload: AssessmentIn) -> Status[Assessment]:
    """Scores the answers with ``clinical.scales``; an alert flag raises an urgent alert for
    the patient's prescriber in the same transaction."""
    patient = get_for_user_or_404(Patient, request.user, ADD, pk=payload.patient_id)
    if payload.instrument not in INSTRUMENTS:
        raise InputError("instrument", f"unknown instrument {payload.instrument!r}")
    session = None
    if payload.session_id is not None:
        session = Session.objects.filter(pk=payload.session_id, patient=patient).first()
        if session is None:
            raise InputError("session_id", "not a session of this patient")
    assessment = record_assessment(
        patient=patient,
        instrument=payload.instrument,
        answers=payload.answers,
        taken_at=payload.taken_at,
        entered_by=request.user,
        session=session,
        request=request,
    )
    return Status(201, assessment)


@router.get(
    "", response=responses(Page[AssessmentOut]), summary="A patient's assessments, newest first"
)
@requires(VIEW)
def list_assessments(
    request: HttpRequest, patient_id: int, paging: Query[Paging], instrument: str = ""
) -> dict[str, Any]:
    patient = get_for_user_or_404(Patient, request.user, VIEW, pk=patient_id)
    assessments = (
        Assessment.objects.filter(patient=patient)
        .select_related("superseded_by")
        .order_by("-taken_at", "-id")
    )
    if instrument:
        if instrument not in INSTRUMENTS:
            raise InputError("instrument", f"unknown instrument {instrument!r}")
        assessments = assessments.filter(instrument=instrument)
    result = paginate(assessments, paging.page, paging.page_size)
    record_event(
        request,
        Action.VIEW,
        object_type="assessment",
        patient=patient,
        detail={"list": True, "page": result.number, "api": True},
    )
    return page_body(result)


@router.get("/{assessment_id}", response=responses(AssessmentOut), summary="One assessment")
@requires(VIEW)
def get_assessment(request: HttpRequest, assessment_id: int) -> Assessment:
    assessment = _visible(request).filter(pk=assessment_id).select_related("patient").first()
    if assessment is None:
        raise HttpError(404, "No such assessment")
    record_event(
        request,
        Action.VIEW,
        object_type="assessment",
        object_id=assessment.pk,
        patient=assessment.patient,
    )
    return assessment


@router.post(
    "/{assessment_id}/corrections",
    response=responses({201: AssessmentOut}, 409),
    summary="Correct an assessment (the original is kept, superseded)",
)
@requires(ADD)
def correct(request: HttpRequest, assessment_id: int, payload: CorrectionIn) -> Status[Assessment]:
    original = (
        _visible(request, ADD).filter(pk=assessment_id).select_related("patient", "session").first()
    )
    if original is None:
        raise HttpError(404, "No such assessment")
    try:
        correction = correct_assessment(
            original,
            answers=payload.answers,
            reason=payload.reason,
            entered_by=request.user,
            request=request,
        )
    except AlreadyCorrected:
        raise HttpError(409, "This version was corrected already; correct the latest.") from None
    return Status(201, correction)


@scales_router.get("", response=responses(Page[ScaleSummary]), summary="Every instrument")
def scales(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    rows = [
        {
            "id": instrument.id,
            "title": instrument.title,
            "version": instrument.version,
            "rater": str(instrument.rater),
            "items": len(instrument.items),
            "max_total": instrument.max_total,
            "licence": instrument.licence,
        }
        for instrument in list_scales()
    ]
    return page_of(rows, paging)


@scales_router.get(
    "/{scale_id}",
    response=responses(ScaleDefinitionOut),
    summary="One instrument's full definition",
)
def scale_definition(request: HttpRequest, scale_id: str) -> dict[str, Any]:
    if scale_id not in INSTRUMENTS:
        raise HttpError(404, "No such instrument")
    return describe(scale_id)


@scales_router.post(
    "/{scale_id}/score",
    response=responses(ScoreOut),
    summary="Score answers without storing them",
)
def score_only(request: HttpRequest, scale_id: str, payload: ScoreIn) -> dict[str, Any]:
    if scale_id not in INSTRUMENTS:
        raise HttpError(404, "No such instrument")
    result = score(scale_id, payload.answers)
    return {
        "scale": result.scale,
        "version": result.version,
        "total": result.total,
        "max_total": result.max_total,
        "band": result.band,
        "band_label": result.band_label,
        "subscores": dict(result.subscores),
        "indicators": dict(result.indicators),
        "flags": [
            {"code": f.code, "item": f.item, "level": str(f.level), "message": f.message}
            for f in result.flags
        ],
        "has_alert": result.has_alert,
    }
