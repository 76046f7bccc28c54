"""The prior-authorization packet: what a payer's reviewer asks for, from the chart.

Diagnosis with its ICD-10-CM code (from the course's indication), the treatment-resistance
history (previous antidepressant trials: drug, dose, duration, response), the baseline and
most recent scores on the instrument the course is judged on, and the plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ketaclinic.apps.assessments.models import Assessment
from ketaclinic.apps.billing.superbills import course_diagnoses
from ketaclinic.apps.patients.choices import TrialResponse
from ketaclinic.clinical.exceptions import InputError
from ketaclinic.clinical.outcomes import primary_instrument_for
from ketaclinic.clinical.protocols import PROTOCOLS

INADEQUATE = (TrialResponse.NO_RESPONSE, TrialResponse.PARTIAL, TrialResponse.NOT_TOLERATED)


@dataclass(frozen=True)
class Packet:
    course: Any
    authorization: Any
    diagnoses: tuple[tuple[str, str], ...]
    diagnosis_problem: str
    trials: list[Any]
    failed_trials: int
    instrument: str
    baseline: Any
    recent: Any
    protocol_name: str
    sessions_planned: int


def build_packet(course: Any, authorization: Any) -> Packet:
    patient = course.patient
    try:
        diagnoses = course_diagnoses(course, patient.conditions.all())
        problem = ""
    except InputError as error:
        diagnoses, problem = (), error.message
    trials = list(patient.antidepressant_trials.all())
    instrument = primary_instrument_for(course.indication)
    scores = Assessment.objects.filter(patient=patient, instrument=instrument).order_by(
        "taken_at", "id"
    )
    baseline = scores.first()
    recent = scores.last()
    protocol = PROTOCOLS.get(course.protocol_id)
    protocol_name = protocol.title if protocol is not None else course.protocol_id
    return Packet(
        course=course,
        authorization=authorization,
        diagnoses=diagnoses,
        diagnosis_problem=problem,
        trials=trials,
        failed_trials=sum(1 for t in trials if t.response in INADEQUATE),
        instrument=instrument,
        baseline=baseline,
        recent=recent if recent and baseline and recent.pk != baseline.pk else None,
        protocol_name=protocol_name,
        sessions_planned=course.sessions.filter(kind="dosing").count(),
    )
