"""Provenance: who recorded what, and when (US Core Provenance).

One Provenance per charted row, read from the row itself (Ketaclinic records the person who
entered each row and when; it keeps no second table of authorship):

- ``as-<id>``, an assessment in force: its Observation (``as-``) and, for a self-report,
  its QuestionnaireResponse; the agent is who entered it, or the patient who self-reported.
- ``vs-<id>``, one set of vital signs: its ``bp-``, ``hr-``, ``spo2-`` (and ``rr-``)
  Observations; the nurse who entered it.
- ``se-<id>``, an in-session MOAA/S or CADSS: its Observation (``se-``); the nurse.
- ``ma-<id>``, a session's dose: the MedicationAdministration; the nurse who started it
  (author and performer), and who stopped it, if another.
- ``ae-<id>``, an adverse event: the AdverseEvent; who recorded it.
- ``ms-<id>``, a weight (and height) charted by staff: the ``wt-`` (and ``ht-``)
  Observations; who recorded it.

Staff act on behalf of the clinic (``onBehalfOf`` the Organization, required by US Core when
the agent is a Practitioner). ``recorded`` is when the row was written, the same instant as
the targets' ``meta.lastUpdated``. Search: ``target``, ``agent``, ``patient``, ``recorded``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import F, Q
from django.db.models.functions import Coalesce

from ketaclinic.apps.assessments.models import Assessment
from ketaclinic.apps.charting.models import Administration, AdverseEvent, ScaleEntry, VitalSign
from ketaclinic.apps.patients.models import Measurement
from ketaclinic.fhir.elements import instant, meta, reference
from ketaclinic.fhir.sources import ModelSource
from ketaclinic.fhir.surveys import SELF_REPORT_INSTRUMENTS

US_CORE_PROVENANCE = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-provenance"
PARTICIPANT_TYPE = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
DATA_OPERATION = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"
PARTICIPANTS = {"author": "Author", "performer": "Performer"}


def _agent(kind: str, who: dict, organisation_id: int | None) -> dict:
    agent: dict = {
        "type": {
            "coding": [{"system": PARTICIPANT_TYPE, "code": kind, "display": PARTICIPANTS[kind]}]
        },
        "who": who,
    }
    if organisation_id is not None and who["reference"].startswith("Practitioner/"):
        agent["onBehalfOf"] = reference("Organization", organisation_id)
    return agent


def provenance_resource(
    resource_id: str,
    targets: list[dict],
    recorded,
    agents: list[dict],
    *,
    update: bool = False,
) -> dict:
    operation = ("UPDATE", "revise") if update else ("CREATE", "create")
    return {
        "resourceType": "Provenance",
        "id": resource_id,
        "meta": meta(recorded, US_CORE_PROVENANCE),
        "target": targets,
        "recorded": instant(recorded),
        "activity": {
            "coding": [{"system": DATA_OPERATION, "code": operation[0], "display": operation[1]}]
        },
        "agent": agents,
    }


# Rendering, one function per row kind ---------------------------------------------------
def assessment_provenance(assessment) -> dict:
    """``assessment``: a row of the ``as`` source's columns."""
    targets = [reference("Observation", f"as-{assessment.pk}")]
    if assessment.instrument in SELF_REPORT_INSTRUMENTS:
        targets.append(reference("QuestionnaireResponse", assessment.pk))
    who = (
        reference("Practitioner", assessment.entered_by_id)
        if assessment.entered_by_id is not None
        else reference("Patient", assessment.patient_id)
    )
    return provenance_resource(
        f"as-{assessment.pk}",
        targets,
        assessment.created_at,
        [_agent("author", who, assessment.organisation_id)],
        update=assessment.corrects_id is not None,
    )


def vital_sign_provenance(vital) -> dict:
    """``vital``: a row of the ``vs`` source's columns (the export's second-largest stream)."""
    kinds = ("bp", "hr", "spo2") + (("rr",) if vital.respiratory_rate is not None else ())
    return provenance_resource(
        f"vs-{vital.pk}",
        [reference("Observation", f"{kind}-{vital.pk}") for kind in kinds],
        vital.entered_at,
        [
            _agent(
                "author",
                reference("Practitioner", vital.entered_by_id),
                vital.organisation_id,
            )
        ],
    )


def scale_entry_provenance(entry) -> dict:
    """``entry``: a row of the ``se`` source's columns."""
    return provenance_resource(
        f"se-{entry.pk}",
        [reference("Observation", f"se-{entry.pk}")],
        entry.taken_at,
        [
            _agent(
                "author",
                reference("Practitioner", entry.entered_by_id),
                entry.organisation_id,
            )
        ],
    )


def administration_provenance(administration) -> dict:
    """``administration``: a row of the ``ma`` source's columns."""
    organisation_id = administration.organisation_id
    nurse = reference("Practitioner", administration.started_by_id)
    agents = [_agent("author", nurse, organisation_id), _agent("performer", nurse, organisation_id)]
    stopped_by = administration.stopped_by_id
    if stopped_by is not None and stopped_by != administration.started_by_id:
        agents.append(_agent("performer", reference("Practitioner", stopped_by), organisation_id))
    return provenance_resource(
        f"ma-{administration.pk}",
        [reference("MedicationAdministration", administration.pk)],
        administration.stopped_at or administration.started_at,
        agents,
    )


def adverse_event_provenance(event) -> dict:
    """``event``: a row of the ``ae`` source's columns."""
    return provenance_resource(
        f"ae-{event.pk}",
        [reference("AdverseEvent", event.pk)],
        event.recorded_at,
        [
            _agent(
                "author",
                reference("Practitioner", event.recorded_by_id),
                event.organisation_id,
            )
        ],
    )


def measurement_provenance(measurement) -> dict:
    """``measurement``: a row of the ``ms`` source's columns."""
    kinds = ("wt",) + (("ht",) if measurement.height_cm is not None else ())
    return provenance_resource(
        f"ms-{measurement.pk}",
        [reference("Observation", f"{kind}-{measurement.pk}") for kind in kinds],
        measurement.recorded_at,
        [
            _agent(
                "author",
                reference("Practitioner", measurement.recorded_by_id),
                measurement.organisation_id,
            )
        ],
    )


# Search by target and by agent ----------------------------------------------------------
def _target_q(patterns: tuple[tuple[str, str], ...]) -> Callable[[str], Q | None]:
    """``target=Type/id``: the row whose resources include it (``patterns``: type, id prefix)."""

    def q(raw: str) -> Q | None:
        head, _slash, ident = raw.rpartition("/")
        type_name = head.rsplit("/", 1)[-1]
        for kind, prefix in patterns:
            if type_name and type_name != kind:
                continue
            head, dash, tail = ident.partition("-")
            if prefix and dash and head == prefix and tail.isdecimal():
                return Q(pk=int(tail))
            if not prefix and ident.isdecimal():
                return Q(pk=int(ident))
        return None

    return q


def _agent_q(field: str, patient_field: str | None = None) -> Callable[[str], Q | None]:
    """``agent=Practitioner/<id>`` (or ``Patient/<id>``, the patient who self-reported)."""

    def q(raw: str) -> Q | None:
        type_name, _slash, ident = raw.rpartition("/")
        type_name = type_name.rsplit("/", 1)[-1]
        if not ident.isdecimal():
            return None
        if type_name in ("", "Practitioner"):
            return Q(**{field: int(ident)})
        if type_name == "Patient" and patient_field is not None:
            return Q(**{f"{field}__isnull": True, patient_field: int(ident)})
        return None

    return q


def _source(
    prefix: str,
    model: Any,
    render: Callable[[Any], dict],
    *,
    permission: str,
    scope: str,
    patient_field: str,
    recorded: Any,
    agent_field: str,
    targets: tuple[tuple[str, str], ...],
    select: tuple[str, ...],
    only: tuple[str, ...] = (),
    columns: tuple[tuple[str, str], ...] = (),
    where: Q | None = None,
    self_reported_by_patient: bool = False,
) -> ModelSource:
    return ModelSource(
        resource_type="Provenance",
        model=model,
        prefix=prefix,
        permission=permission,
        render=render,
        scope=scope,
        patient_field=patient_field,
        date_field="fhir_updated",
        updated=recorded,
        select=select,
        only=only,
        columns=columns,
        where=where if where is not None else Q(),
        extra={
            "target": _target_q(targets),
            "agent": _agent_q(agent_field, patient_field if self_reported_by_patient else None),
        },
    )


CHART = "charting.view_session_chart"
PROVENANCE_SOURCES = (
    _source(
        "as",
        Assessment,
        assessment_provenance,
        permission="assessments.view_assessment",
        scope="site_id",
        patient_field="patient_id",
        recorded=F("created_at"),
        agent_field="entered_by_id",
        targets=(("Observation", "as"), ("QuestionnaireResponse", "")),
        select=(),
        columns=(
            ("pk", "pk"),
            ("instrument", "instrument"),
            ("entered_by_id", "entered_by_id"),
            ("patient_id", "patient_id"),
            ("created_at", "created_at"),
            ("corrects_id", "corrects_id"),
            ("organisation_id", "site__organisation_id"),
        ),
        where=Q(superseded_by__isnull=True),
        self_reported_by_patient=True,
    ),
    _source(
        "vs",
        VitalSign,
        vital_sign_provenance,
        permission=CHART,
        scope="session__site_id",
        patient_field="session__patient_id",
        recorded=F("entered_at"),
        agent_field="entered_by_id",
        targets=tuple(("Observation", kind) for kind in ("bp", "hr", "spo2", "rr")),
        select=(),
        columns=(
            ("pk", "pk"),
            ("respiratory_rate", "respiratory_rate"),
            ("entered_at", "entered_at"),
            ("entered_by_id", "entered_by_id"),
            ("patient_id", "session__patient_id"),
            ("organisation_id", "session__site__organisation_id"),
        ),
    ),
    _source(
        "se",
        ScaleEntry,
        scale_entry_provenance,
        permission=CHART,
        scope="session__site_id",
        patient_field="session__patient_id",
        recorded=F("taken_at"),
        agent_field="entered_by_id",
        targets=(("Observation", "se"),),
        select=(),
        columns=(
            ("pk", "pk"),
            ("taken_at", "taken_at"),
            ("entered_by_id", "entered_by_id"),
            ("patient_id", "session__patient_id"),
            ("organisation_id", "session__site__organisation_id"),
        ),
    ),
    _source(
        "ma",
        Administration,
        administration_provenance,
        permission=CHART,
        scope="session__site_id",
        patient_field="session__patient_id",
        recorded=Coalesce(F("stopped_at"), F("started_at")),
        agent_field="started_by_id",
        targets=(("MedicationAdministration", ""),),
        select=(),
        columns=(
            ("pk", "pk"),
            ("started_at", "started_at"),
            ("stopped_at", "stopped_at"),
            ("started_by_id", "started_by_id"),
            ("stopped_by_id", "stopped_by_id"),
            ("patient_id", "session__patient_id"),
            ("organisation_id", "session__site__organisation_id"),
        ),
    ),
    _source(
        "ae",
        AdverseEvent,
        adverse_event_provenance,
        permission=CHART,
        scope="session__site_id",
        patient_field="session__patient_id",
        recorded=F("recorded_at"),
        agent_field="recorded_by_id",
        targets=(("AdverseEvent", ""),),
        select=(),
        columns=(
            ("pk", "pk"),
            ("recorded_at", "recorded_at"),
            ("recorded_by_id", "recorded_by_id"),
            ("patient_id", "session__patient_id"),
            ("organisation_id", "session__site__organisation_id"),
        ),
    ),
    _source(
        "ms",
        Measurement,
        measurement_provenance,
        permission="patients.view_measurement",
        scope="patient__site_id",
        patient_field="patient_id",
        recorded=F("recorded_at"),
        agent_field="recorded_by_id",
        targets=(("Observation", "wt"), ("Observation", "ht")),
        select=(),
        columns=(
            ("pk", "pk"),
            ("height_cm", "height_cm"),
            ("recorded_at", "recorded_at"),
            ("recorded_by_id", "recorded_by_id"),
            ("patient_id", "patient_id"),
            ("organisation_id", "patient__site__organisation_id"),
        ),
        where=Q(recorded_by__isnull=False),
    ),
)
