"""The concrete sources: which rows give which resources, who may read them, how they narrow.

``registry`` assembles these into the resource types the server serves.
"""

from __future__ import annotations

from django.db.models import F, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce

from ketaclinic.apps.accounts.models import Organisation, Site, User
from ketaclinic.apps.accounts.scoping import staff_working_at
from ketaclinic.apps.assessments.models import Assessment
from ketaclinic.apps.charting.models import Administration, AdverseEvent, ScaleEntry, VitalSign
from ketaclinic.apps.patients.choices import ICD10CM
from ketaclinic.apps.patients.models import Condition, Measurement, Patient
from ketaclinic.apps.treatment.models import Course, Session, SessionEvent
from ketaclinic.clinical.scales import INSTRUMENTS
from ketaclinic.fhir import codes, surveys
from ketaclinic.fhir.care import (
    APPOINTMENT_STATUS,
    CAREPLAN_STATUS,
    ENCOUNTER_STATUS,
    appointment_resource,
    careplan_resource,
    encounter_resource,
)
from ketaclinic.fhir.medication import adverse_event_resource, medication_administration_resource
from ketaclinic.fhir.organisation import (
    chair_location_resource,
    organization_resource,
    practitioner_resource,
    practitioner_role_resource,
    site_location_resource,
)
from ketaclinic.fhir.patients import CLINICAL_STATUS, GENDER, condition_resource, patient_resource
from ketaclinic.fhir.search import Token, parse_date, parse_token
from ketaclinic.fhir.sources import ListSource, ModelSource, Source
from ketaclinic.fhir.vitals import (
    KIND_CODES,
    measurement_observation,
    vital_sign_observation,
)

STAFF_PERMISSION = "patients.view_patient"


def _inverse(mapping: dict) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for ours, theirs in mapping.items():
        out.setdefault(theirs, []).append(ours)
    return out


def _status_q(mapping: dict, field: str = "status") -> dict[str, Q]:
    return {fhir: Q(**{f"{field}__in": ours}) for fhir, ours in _inverse(mapping).items()}


# Patient ----------------------------------------------------------------------------------
def _identifier_q(raw: str) -> Q | None:
    token = parse_token("identifier", raw)
    if token.system is not None and not token.system.startswith(codes.MRN_SYSTEM):
        return None
    if token.code is None:
        return Q()
    return Q(mrn=token.code.upper())


def _name_q(raw: str) -> Q:
    return Q(given_name__icontains=raw) | Q(family_name__icontains=raw)


def _birthdate_q(raw: str) -> Q:
    return parse_date("birthdate", raw).q("date_of_birth", is_date=True)


def _gender_q(raw: str) -> Q | None:
    ours = _inverse(GENDER).get(raw)
    return Q(sex_at_birth__in=ours) if ours else None


PATIENT = ModelSource(
    resource_type="Patient",
    model=Patient,
    permission="patients.view_patient",
    render=patient_resource,
    scope="site_id",
    patient_field="pk",
    updated=F("updated_at"),
    select=("site",),
    extra={
        "identifier": _identifier_q,
        "name": _name_q,
        "family": lambda raw: Q(family_name__istartswith=raw),
        "given": lambda raw: Q(given_name__istartswith=raw),
        "birthdate": _birthdate_q,
        "gender": _gender_q,
        "active": lambda raw: Q(is_active=raw == "true") if raw in ("true", "false") else None,
    },
)


# Condition --------------------------------------------------------------------------------
def _condition_code_q(token: Token) -> Q | None:
    ours = [
        code
        for code, (icd, _display) in ICD10CM.items()
        if token.matches(codes.ICD10CM, icd) or token.matches(codes.ICD10CM, str(code))
    ]
    return Q(code__in=ours) if ours else None


CONDITION = ModelSource(
    resource_type="Condition",
    model=Condition,
    permission="patients.view_patient",
    render=condition_resource,
    scope="patient__site_id",
    patient_field="patient_id",
    updated=F("recorded_at"),
    code_q=_condition_code_q,
    categories=((codes.CONDITION_CATEGORY, "problem-list-item"),),
    extra={
        "clinical-status": lambda raw: (
            Q(status__in=_inverse(CLINICAL_STATUS)[raw])
            if raw in _inverse(CLINICAL_STATUS)
            else None
        ),
    },
)


# CarePlan and Encounter ---------------------------------------------------------------
def _render_careplan(course: Course) -> dict:
    condition_ids = {c.code: c.pk for c in course.patient.conditions.all()}
    return careplan_resource(course, condition_ids)


CAREPLAN = ModelSource(
    resource_type="CarePlan",
    model=Course,
    permission="treatment.view_course",
    render=_render_careplan,
    scope="site_id",
    patient_field="patient_id",
    date_field="starts_on",
    date_is_date=True,
    updated=F("created_at"),
    prefetch=(
        Prefetch(
            "sessions",
            Session.objects.only(
                "course", "status", "number", "kind", "planned_start", "planned_minutes"
            ),
        ),
        Prefetch("patient", Patient.objects.only("pk")),
        Prefetch("patient__conditions", Condition.objects.only("patient", "code")),
    ),
    status_q=_status_q(CAREPLAN_STATUS),
    extra={"intent": lambda raw: Q() if raw == "plan" else None},
)

SESSION_UPDATED = Coalesce(
    Subquery(SessionEvent.objects.filter(session=OuterRef("pk")).order_by("-at").values("at")[:1]),
    F("course__created_at"),
)

ENCOUNTER = ModelSource(
    resource_type="Encounter",
    model=Session,
    permission="treatment.view_session",
    render=lambda session: encounter_resource(session, session.fhir_updated),
    renders_updated=True,
    scope="site_id",
    patient_field="patient_id",
    date_field="planned_start",
    updated=SESSION_UPDATED,
    select=("site",),
    only=(
        "patient",
        "site__name",
        "site__organisation",
        "status",
        "kind",
        "chair",
        "planned_start",
        "planned_minutes",
        "checked_in_at",
        "discharged_at",
    ),
    status_q=_status_q(ENCOUNTER_STATUS),
)


APPOINTMENT = ModelSource(
    resource_type="Appointment",
    model=Session,
    permission="treatment.view_session",
    render=lambda session: appointment_resource(session, session.fhir_updated),
    renders_updated=True,
    scope="site_id",
    patient_field="patient_id",
    date_field="planned_start",
    updated=SESSION_UPDATED,
    select=("site", "course"),
    only=(
        "patient",
        "site__name",
        "course__prescriber",
        "status",
        "kind",
        "number",
        "chair",
        "planned_start",
        "planned_minutes",
    ),
    status_q=_status_q(APPOINTMENT_STATUS),
)


# Observation ------------------------------------------------------------------------------
VITAL_COLUMNS = {
    "bp": ("bp_systolic", "bp_diastolic"),
    "hr": ("heart_rate",),
    "spo2": ("spo2",),
    "rr": ("respiratory_rate",),
}


def _vital_source(kind: str) -> ModelSource:
    return ModelSource(
        resource_type="Observation",
        model=VitalSign,
        prefix=kind,
        permission="charting.view_session_chart",
        render=lambda vital: vital_sign_observation(kind, vital),
        scope="session__site_id",
        patient_field="session__patient_id",
        date_field="taken_at",
        updated=F("entered_at"),
        columns=(
            ("pk", "pk"),
            ("session_id", "session_id"),
            ("patient_id", "session__patient_id"),
            ("taken_at", "taken_at"),
            ("entered_at", "entered_at"),
            ("entered_by_id", "entered_by_id"),
            *((name, name) for name in VITAL_COLUMNS[kind]),
        ),
        instants=("taken_at", "entered_at"),
        where=Q(respiratory_rate__isnull=False) if kind == "rr" else Q(),
        codings=tuple((codes.LOINC, code) for code, _display in KIND_CODES[kind]),
        categories=((codes.OBSERVATION_CATEGORY, "vital-signs"),),
        status_q={"final": Q()},
    )


def _measurement_source(kind: str) -> ModelSource:
    return ModelSource(
        resource_type="Observation",
        model=Measurement,
        prefix=kind,
        permission="patients.view_measurement",
        render=lambda measurement: measurement_observation(kind, measurement),
        scope="patient__site_id",
        patient_field="patient_id",
        date_field="measured_on",
        date_is_date=True,
        updated=F("recorded_at"),
        where=Q(height_cm__isnull=False) if kind == "ht" else Q(),
        codings=tuple((codes.LOINC, code) for code, _display in KIND_CODES[kind]),
        categories=((codes.OBSERVATION_CATEGORY, "vital-signs"),),
        status_q={"final": Q()},
    )


def _instruments_with_code(token: Token) -> list[str]:
    return [
        key
        for key in INSTRUMENTS
        if any(token.matches(c["system"], c["code"]) for c in surveys.total_codings(key))
    ]


def _assessment_code_q(token: Token) -> Q | None:
    found = _instruments_with_code(token)
    return Q(instrument__in=found) if found else None


def _derived_from_q(raw: str) -> Q | None:
    """``derived-from=QuestionnaireResponse/<id>``: the total scored from that response."""
    type_name, _slash, ident = raw.rpartition("/")
    if type_name.rsplit("/", 1)[-1] not in ("", "QuestionnaireResponse") or not ident.isdecimal():
        return None
    return Q(pk=int(ident), instrument__in=surveys.SELF_REPORT_INSTRUMENTS)


SURVEY_CATEGORY = ((codes.OBSERVATION_CATEGORY, "survey"),)
ASSESSMENT_STATUS = {"final": Q(corrects__isnull=True), "amended": Q(corrects__isnull=False)}

ASSESSMENT_COLUMNS = tuple(
    (name, name)
    for name in (
        "pk",
        "instrument",
        "created_at",
        "corrects_id",
        "patient_id",
        "session_id",
        "taken_at",
        "entered_by_id",
        "total",
        "band",
        "band_label",
    )
)

ASSESSMENT_OBSERVATION = ModelSource(
    resource_type="Observation",
    model=Assessment,
    prefix="as",
    permission="assessments.view_assessment",
    render=surveys.assessment_observation,
    scope="site_id",
    patient_field="patient_id",
    date_field="taken_at",
    updated=F("created_at"),
    columns=ASSESSMENT_COLUMNS,
    instants=("created_at", "taken_at"),
    where=Q(superseded_by__isnull=True),
    code_q=_assessment_code_q,
    categories=SURVEY_CATEGORY,
    status_q=ASSESSMENT_STATUS,
    extra={"derived-from": _derived_from_q},
)

SCALE_ENTRY_OBSERVATION = ModelSource(
    resource_type="Observation",
    model=ScaleEntry,
    prefix="se",
    permission="charting.view_session_chart",
    render=surveys.scale_entry_observation,
    scope="session__site_id",
    patient_field="session__patient_id",
    date_field="taken_at",
    updated=F("taken_at"),
    columns=(
        ("pk", "pk"),
        ("session_id", "session_id"),
        ("patient_id", "session__patient_id"),
        ("scale", "scale"),
        ("taken_at", "taken_at"),
        ("total", "total"),
        ("band_label", "band_label"),
        ("entered_by_id", "entered_by_id"),
    ),
    instants=("taken_at",),
    code_q=lambda token: (
        Q(scale__in=_instruments_with_code(token)) if _instruments_with_code(token) else None
    ),
    categories=SURVEY_CATEGORY,
    status_q={"final": Q()},
)

OBSERVATION_SOURCES: tuple[Source, ...] = (
    *(_vital_source(kind) for kind in ("bp", "hr", "spo2", "rr")),
    *(_measurement_source(kind) for kind in ("wt", "ht")),
    ASSESSMENT_OBSERVATION,
    SCALE_ENTRY_OBSERVATION,
)


# Questionnaire and QuestionnaireResponse ---------------------------------------------
QUESTIONNAIRE = ListSource(
    resource_type="Questionnaire",
    permission="assessments.view_assessment",
    items=lambda user: [
        surveys.questionnaire_resource(INSTRUMENTS[key]) for key in surveys.SELF_REPORT_INSTRUMENTS
    ],
)


def _questionnaire_q(raw: str) -> Q | None:
    instrument = surveys.instrument_for_questionnaire(raw)
    return Q(instrument=instrument) if instrument else None


QUESTIONNAIRE_RESPONSE = ModelSource(
    resource_type="QuestionnaireResponse",
    model=Assessment,
    permission="assessments.view_assessment",
    render=surveys.questionnaire_response_resource,
    scope="site_id",
    patient_field="patient_id",
    date_field="taken_at",
    updated=F("created_at"),
    columns=(*ASSESSMENT_COLUMNS, ("answers", "answers")),
    instants=("created_at", "taken_at"),
    where=Q(superseded_by__isnull=True, instrument__in=surveys.SELF_REPORT_INSTRUMENTS),
    status_q={"completed": Q(corrects__isnull=True), "amended": Q(corrects__isnull=False)},
    extra={"questionnaire": _questionnaire_q},
)


# MedicationAdministration and AdverseEvent ----------------------------------------------
def _medication_code_q(token: Token) -> Q | None:
    drugs = [d for d, (code, _n) in codes.RXNORM_DRUG.items() if token.matches(codes.RXNORM, code)]
    q = Q(order__drug__in=drugs) if drugs else None
    if token.system in (None, codes.NDC) and token.code:
        ndc = Q(container__product__ndc=token.code)
        q = ndc if q is None else q | ndc
    return q


MEDICATION_ADMINISTRATION = ModelSource(
    resource_type="MedicationAdministration",
    model=Administration,
    permission="charting.view_session_chart",
    render=medication_administration_resource,
    scope="session__site_id",
    patient_field="session__patient_id",
    date_field="started_at",
    updated=Coalesce(F("stopped_at"), F("started_at")),
    select=("order", "session", "container__product", "container__lot"),
    only=(
        "lot",
        "product",
        "dose_given_mg",
        "started_at",
        "stopped_at",
        "started_by",
        "session__patient",
        "order__drug",
        "order__dose_mg",
        "order__route",
        "order__rate_ml_per_h",
        "container__product__ndc",
        "container__product__name",
        "container__lot__lot_number",
        "container__lot__expires_on",
    ),
    code_q=_medication_code_q,
    status_q={"completed": Q(stopped_at__isnull=False), "in-progress": Q(stopped_at__isnull=True)},
)

ADVERSE_EVENT = ModelSource(
    resource_type="AdverseEvent",
    model=AdverseEvent,
    permission="charting.view_session_chart",
    render=adverse_event_resource,
    scope="session__site_id",
    patient_field="session__patient_id",
    date_field="onset_at",
    updated=F("recorded_at"),
    select=("session", "session__administration"),
    only=(
        "kind",
        "description",
        "onset_at",
        "recorded_at",
        "recorded_by",
        "severity",
        "session__patient",
        "session__administration__id",
    ),
    extra={"severity": lambda raw: Q(severity=raw)},
)


# Staff, the clinic and its places ---------------------------------------------------------
def _staff_scope(queryset, site_ids):
    return queryset.filter(pk__in=staff_working_at(site_ids).values("pk"))


PRACTITIONER = ModelSource(
    resource_type="Practitioner",
    model=User,
    permission=STAFF_PERMISSION,
    render=practitioner_resource,
    scope=_staff_scope,
    where=Q(groups__isnull=False),
    extra={"name": lambda raw: Q(first_name__icontains=raw) | Q(last_name__icontains=raw)},
)


def _render_role(membership) -> dict:
    return practitioner_role_resource(membership, [g.name for g in membership.user.groups.all()])


PRACTITIONER_ROLE = ModelSource(
    resource_type="PractitionerRole",
    model=User.sites.through,
    permission=STAFF_PERMISSION,
    render=_render_role,
    scope="site_id",
    select=("site", "user"),
    prefetch=("user__groups",),
    extra={
        "practitioner": lambda raw: (
            Q(user_id=int(raw.rsplit("/", 1)[-1])) if raw.rsplit("/", 1)[-1].isdecimal() else None
        ),
    },
)

ORGANIZATION = ModelSource(
    resource_type="Organization",
    model=Organisation,
    permission=STAFF_PERMISSION,
    render=organization_resource,
    scope=lambda queryset, site_ids: queryset.filter(
        pk__in=Site.objects.filter(pk__in=site_ids).values("organisation_id")
    ),
)

SITE_LOCATION = ModelSource(
    resource_type="Location",
    model=Site,
    prefix="site",
    permission=STAFF_PERMISSION,
    render=site_location_resource,
    scope="pk",
)

CHAIR_LOCATION = ListSource(
    resource_type="Location",
    prefix="chair",
    permission=STAFF_PERMISSION,
    items=lambda user: [
        chair_location_resource(site, chair)
        for site in Site.objects.filter(staff=user).order_by("pk")
        for chair in range(1, site.chairs + 1)
    ],
)
