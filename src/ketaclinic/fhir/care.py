"""CarePlan (a treatment course and its sessions), Encounter (one session as it happened)
and Appointment (the same session as it was booked: time, chair, patient and prescriber).

Status maps follow the meaning of each state: a planned or active course is an ``active``
plan (it is authorised: a prescriber made it), paused is ``on-hold``, stopped early is
``revoked``. A session checked in is ``arrived``; dosing and observing are ``in-progress``; a
no-show is ``cancelled`` (R4 has no no-show for Encounter; the type says what it was).
An Appointment is ``booked`` until the patient checks in (``checked-in``), ``arrived`` while
dosed and observed, ``fulfilled`` once discharged, else ``cancelled`` or ``noshow``.
"""

from __future__ import annotations

import datetime as dt

from ketaclinic.apps.treatment.choices import CourseStatus, SessionKind, SessionStatus
from ketaclinic.apps.treatment.models import Course, Session
from ketaclinic.fhir import codes
from ketaclinic.fhir.elements import day, instant, meta, pruned, reference
from ketaclinic.fhir.organisation import chair_location_id, site_location_id

CAREPLAN_STATUS: dict[str, str] = {
    CourseStatus.PLANNED: "active",
    CourseStatus.ACTIVE: "active",
    CourseStatus.PAUSED: "on-hold",
    CourseStatus.COMPLETED: "completed",
    CourseStatus.STOPPED: "revoked",
}

ENCOUNTER_STATUS = {
    SessionStatus.PLANNED: "planned",
    SessionStatus.CHECKED_IN: "arrived",
    SessionStatus.DOSING: "in-progress",
    SessionStatus.OBSERVING: "in-progress",
    SessionStatus.DISCHARGED: "finished",
    SessionStatus.CANCELLED: "cancelled",
    SessionStatus.NO_SHOW: "cancelled",
}

APPOINTMENT_STATUS = {
    SessionStatus.PLANNED: "booked",
    SessionStatus.CHECKED_IN: "checked-in",
    SessionStatus.DOSING: "arrived",
    SessionStatus.OBSERVING: "arrived",
    SessionStatus.DISCHARGED: "fulfilled",
    SessionStatus.CANCELLED: "cancelled",
    SessionStatus.NO_SHOW: "noshow",
}
PARTICIPATION_TYPE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
# The prescriber's participation is typed, so a de-identified export (which drops references
# to staff) still meets app-1: a participant has a type or an actor.
_PRESCRIBER_TYPE = [
    {"coding": [{"system": PARTICIPATION_TYPE, "code": "PPRF", "display": "primary performer"}]}
]

ACTIVITY_STATUS: dict[str, str] = {
    SessionStatus.PLANNED: "scheduled",
    SessionStatus.CHECKED_IN: "in-progress",
    SessionStatus.DOSING: "in-progress",
    SessionStatus.OBSERVING: "in-progress",
    SessionStatus.DISCHARGED: "completed",
    SessionStatus.CANCELLED: "cancelled",
    SessionStatus.NO_SHOW: "cancelled",
}


# ``Session.get_kind_display`` per row costs more than the rest of an Encounter: the same
# labels, looked up once.
_KIND_LABELS = {value: str(label) for value, label in SessionKind.choices}


def _kind_label(session: Session) -> str:
    return _KIND_LABELS.get(session.kind, session.kind)


def careplan_resource(course: Course, condition_ids: dict[str, int]) -> dict:
    """``condition_ids`` maps the patient's condition codes to Condition ids (for the
    indication); ``course.sessions`` should be prefetched."""
    target = ""
    if course.target_dose_mg_per_kg is not None:
        target = f", target {course.target_dose_mg_per_kg.normalize():f} mg/kg"
    elif course.target_dose_mg is not None:
        target = f", target {course.target_dose_mg.normalize():f} mg"
    addresses = []
    if course.indication and course.indication in condition_ids:
        addresses.append(reference("Condition", condition_ids[course.indication]))
    activity = [
        {
            "outcomeReference": [reference("Encounter", session.pk)],
            "detail": {
                "status": ACTIVITY_STATUS[session.status],
                "description": f"Session {session.number}: {_kind_label(session)}",
                "scheduledPeriod": {
                    "start": instant(session.planned_start),
                    "end": instant(session.planned_end),
                },
            },
        }
        for session in course.sessions.all()
    ]
    return pruned(
        {
            "resourceType": "CarePlan",
            "id": str(course.pk),
            "meta": meta(course.created_at),
            "status": CAREPLAN_STATUS[course.status],
            "intent": "plan",
            "category": [{"text": "Ketamine therapy course"}],
            "title": f"{course.protocol_id} ({course.get_route_display()})",
            "description": (
                f"{course.get_phase_display()} phase, {course.get_route_display()}{target}"
                + (f". {course.status_reason}" if course.status_reason else "")
            ),
            "subject": reference("Patient", course.patient_id),
            "period": pruned({"start": day(course.starts_on), "end": day(course.ended_on)}),
            "created": instant(course.created_at),
            "author": reference("Practitioner", course.prescriber_id),
            "addresses": addresses,
            "activity": activity,
        }
    )


def encounter_resource(session: Session, last_updated: dt.datetime | None) -> dict:
    """``session.site`` should be loaded; ``last_updated`` is the source's annotation."""
    if session.checked_in_at is not None:
        period = pruned(
            {
                "start": instant(session.checked_in_at),
                "end": instant(session.discharged_at),
            }
        )
    else:
        period = {"start": instant(session.planned_start), "end": instant(session.planned_end)}
    location = reference("Location", site_location_id(session.site_id), session.site.name)
    locations = [{"location": location}]
    if session.chair is not None:
        chair = chair_location_id(session.site_id, session.chair)
        locations.append({"location": reference("Location", chair)})
    return pruned(
        {
            "resourceType": "Encounter",
            "id": str(session.pk),
            "meta": meta(last_updated),
            "status": ENCOUNTER_STATUS[session.status],
            "class": codes.coding(codes.ACT_CODE, "AMB", "ambulatory"),
            "type": [
                {
                    "coding": [
                        codes.coding(codes.LOCAL_SESSION_KIND, session.kind, _kind_label(session))
                    ],
                    "text": _kind_label(session),
                }
            ],
            "subject": reference("Patient", session.patient_id),
            "period": period,
            "location": locations,
            "serviceProvider": reference("Organization", session.site.organisation_id),
        }
    )


def appointment_resource(session: Session, last_updated: dt.datetime | None) -> dict:
    """The session as booked. ``session.site`` and ``session.course`` should be loaded;
    ``last_updated`` is the source's annotation (as for the Encounter)."""
    label = _kind_label(session)
    participants = [
        {"actor": reference("Patient", session.patient_id), "status": "accepted"},
        {
            "type": _PRESCRIBER_TYPE,
            "actor": reference("Practitioner", session.course.prescriber_id),
            "status": "accepted",
        },
        {
            "actor": reference("Location", site_location_id(session.site_id), session.site.name),
            "status": "accepted",
        },
    ]
    if session.chair is not None:
        chair = chair_location_id(session.site_id, session.chair)
        participants.append({"actor": reference("Location", chair), "status": "accepted"})
    return pruned(
        {
            "resourceType": "Appointment",
            "id": str(session.pk),
            "meta": meta(last_updated),
            "status": APPOINTMENT_STATUS[SessionStatus(session.status)],
            "serviceType": [
                {
                    "coding": [codes.coding(codes.LOCAL_SESSION_KIND, session.kind, label)],
                    "text": label,
                }
            ],
            "description": f"Session {session.number}: {label}",
            "supportingInformation": [reference("CarePlan", session.course_id)],
            "start": instant(session.planned_start),
            "end": instant(session.planned_start + dt.timedelta(minutes=session.planned_minutes)),
            "minutesDuration": session.planned_minutes,
            "participant": participants,
        }
    )
