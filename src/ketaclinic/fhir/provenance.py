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
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q
from django.db.models.functions import Coalesce

from ketaclinic.apps.assessments.models import Assessment
from ketaclinic.apps.charting.models import Administration, AdverseEvent, ScaleEntry, VitalSign
from ketaclinic.apps.patients.models import Measurement
from ketaclinic.fhir.elements import instant, reference
from ketaclinic.fhir.sources import ModelSource
from ketaclinic.fhir.surveys import SELF_REPORT_INSTRUMENTS

US_CORE_PROVENANCE = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-provenance"
PARTICIPANT_TYPE = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
DATA_OPERATION = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"
PARTICIPANTS = {"author": "Author", "performer": "Performer"}


# What every Provenance of one kind shares, built once (never mutated: the de-identifier
# copies what it changes): an export renders one Provenance per charted row.
_AGENT_TYPES = {
    kind: {"coding": [{"system": PARTICIPANT_TYPE, "code": kind, "display": display}]}
    for kind, display in PARTICIPANTS.items()
}
_ACTIVITIES = {
    update: {"coding": [{"system": DATA_OPERATION, "code": code, "display": display}]}
    for update, (code, display) in ((True, ("UPDATE", "revise")), (False, ("CREATE", "create")))
}
_PROFILES = [US_CORE_PROVENANCE]


def _agent(kind: str, who: dict, organisation_id: int | None) -> dict:
    agent: dict = {"type": _AGENT_TYPES[kind], "who": who}
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
    when = instant(recorded)
    return {
        "resourceType": "Provenance",
        "id": resource_id,
        "meta": {"lastUpdated": when, "profile": _PROFILES}
        if when is not None
        else {"profile": _PROFILES},
        "target": targets,
        "recorded": when,
        "activity": _ACTIVITIES[bool(update)],
        "agent": agents,
    }


# The row kinds: one table, rendered and searched alike ---------------------------------
@dataclass(frozen=True)
class Target:
    """A resource a row's Provenance points at: its type, its id (the row's id after
    ``prefix-``, or the row's own id), present only ``when`` the row has it (if stated)."""

    resource_type: str
    prefix: str = ""
    when: Callable[[Any], bool] | None = None

    def reference(self, row: Any) -> dict:
        return reference(self.resource_type, f"{self.prefix}-{row.pk}" if self.prefix else row.pk)


@dataclass(frozen=True)
class RowKind:
    """One kind of charted row: where it is, who wrote it and when, what it produced.

    ``owner`` is the path to what holds the row's site and patient (``session``,
    ``patient``, or ``""`` for a row that holds both itself); ``recorded`` names the fields
    of the moment it was written (the first one set); ``author`` the staff member who wrote
    it. ``agents`` replaces the single author where a row has more (or a patient) as agent.
    """

    prefix: str
    model: Any
    permission: str
    owner: str
    recorded: tuple[str, ...]
    author: str
    targets: tuple[Target, ...]
    agents: Callable[[Any, int | None], list[dict]] | None = None
    update: Callable[[Any], bool] | None = None
    # The row's own fields the rendering reads (besides pk, recorded and author): the rows
    # are then read as tuples (``ModelSource.columns``) with ``patient_id`` and
    # ``organisation_id`` beside them, not as model instances (exports are mostly these).
    fields: tuple[str, ...] = ()
    where: Q = field(default_factory=Q)
    self_reported_by_patient: bool = False

    def path(self, name: str) -> str:
        return f"{self.owner}__{name}" if self.owner else name

    def patient_field(self) -> str:
        return "patient_id" if self.owner == "patient" else self.path("patient_id")

    def columns(self) -> tuple[tuple[str, str], ...]:
        own = dict.fromkeys(("pk", *self.recorded, self.author, *self.fields))
        return (
            *((name, name) for name in own),
            ("patient_id", self.patient_field()),
            ("organisation_id", self.path("site__organisation_id")),
        )

    def render(self, row: Any) -> dict:
        organisation_id = row.organisation_id
        if self.agents is not None:
            agents = self.agents(row, organisation_id)
        else:
            author = reference("Practitioner", getattr(row, self.author))
            agents = [_agent("author", author, organisation_id)]
        return provenance_resource(
            f"{self.prefix}-{row.pk}",
            [t.reference(row) for t in self.targets if t.when is None or t.when(row)],
            next((v for v in (getattr(row, f) for f in self.recorded) if v is not None), None),
            agents,
            update=self.update is not None and self.update(row),
        )

    def source(self) -> ModelSource:
        recorded = [F(f) for f in self.recorded]
        patient_field = self.patient_field()
        return ModelSource(
            resource_type="Provenance",
            model=self.model,
            prefix=self.prefix,
            permission=self.permission,
            render=self.render,
            scope=self.path("site_id"),
            patient_field=patient_field,
            date_field="fhir_updated",
            updated=Coalesce(*recorded) if len(recorded) > 1 else recorded[0],
            columns=self.columns(),
            instants=self.recorded,
            where=self.where,
            extra={
                "target": _target_q(tuple((t.resource_type, t.prefix) for t in self.targets)),
                "agent": _agent_q(
                    self.author, patient_field if self.self_reported_by_patient else None
                ),
            },
        )


def _self_reported_or_entered(assessment: Assessment, organisation_id: int | None) -> list[dict]:
    """A self-report's author is the patient; anything else, who entered it."""
    who = (
        reference("Practitioner", assessment.entered_by_id)
        if assessment.entered_by_id is not None
        else reference("Patient", assessment.patient_id)
    )
    return [_agent("author", who, organisation_id)]


def _started_and_stopped(administration: Administration, organisation_id: int | None) -> list:
    """The nurse who started the dose is author and performer; who stopped it, if another,
    performer too."""
    nurse = reference("Practitioner", administration.started_by_id)
    agents = [_agent("author", nurse, organisation_id), _agent("performer", nurse, organisation_id)]
    stopped_by = administration.stopped_by_id
    if stopped_by is not None and stopped_by != administration.started_by_id:
        agents.append(_agent("performer", reference("Practitioner", stopped_by), organisation_id))
    return agents


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


CHART = "charting.view_session_chart"
ROW_KINDS = (
    RowKind(
        "as",
        Assessment,
        "assessments.view_assessment",
        owner="",
        recorded=("created_at",),
        author="entered_by_id",
        targets=(
            Target("Observation", "as"),
            Target("QuestionnaireResponse", when=lambda a: a.instrument in SELF_REPORT_INSTRUMENTS),
        ),
        agents=_self_reported_or_entered,
        update=lambda assessment: assessment.corrects_id is not None,
        fields=("instrument", "corrects_id"),
        where=Q(superseded_by__isnull=True),
        self_reported_by_patient=True,
    ),
    RowKind(
        "vs",
        VitalSign,
        CHART,
        owner="session",
        recorded=("entered_at",),
        author="entered_by_id",
        targets=(
            Target("Observation", "bp"),
            Target("Observation", "hr"),
            Target("Observation", "spo2"),
            Target("Observation", "rr", when=lambda vital: vital.respiratory_rate is not None),
        ),
        fields=("respiratory_rate",),
    ),
    RowKind(
        "se",
        ScaleEntry,
        CHART,
        owner="session",
        recorded=("taken_at",),
        author="entered_by_id",
        targets=(Target("Observation", "se"),),
    ),
    RowKind(
        "ma",
        Administration,
        CHART,
        owner="session",
        recorded=("stopped_at", "started_at"),
        author="started_by_id",
        targets=(Target("MedicationAdministration"),),
        agents=_started_and_stopped,
        fields=("stopped_by_id",),
    ),
    RowKind(
        "ae",
        AdverseEvent,
        CHART,
        owner="session",
        recorded=("recorded_at",),
        author="recorded_by_id",
        targets=(Target("AdverseEvent"),),
    ),
    RowKind(
        "ms",
        Measurement,
        "patients.view_measurement",
        owner="patient",
        recorded=("recorded_at",),
        author="recorded_by_id",
        targets=(
            Target("Observation", "wt"),
            Target("Observation", "ht", when=lambda m: m.height_cm is not None),
        ),
        fields=("height_cm",),
        where=Q(recorded_by__isnull=False),
    ),
)
PROVENANCE_SOURCES = tuple(kind.source() for kind in ROW_KINDS)
