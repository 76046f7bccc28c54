"""CarePlan (a treatment course and its sessions) and Encounter (one session).

Status maps follow the meaning of each state: a planned or active course is an ``active``
plan (it is authorised: a prescriber made it), paused is ``on-hold``, stopped early is
``revoked``. A session checked in is ``arrived``; dosing and observing are ``in-progress``; a
no-show is ``cancelled`` (R4 has no no-show for Encounter; the type says what it was).
"""

from __future__ import annotations

import datetime as dt

from ketaclinic.apps.treatment.choices import CourseStatus, SessionStatus
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

ACTIVITY_STATUS: dict[str, str] = {
    SessionStatus.PLANNED: "scheduled",
    SessionStatus.CHECKED_IN: "in-progress",
    SessionStatus.DOSING: "in-progress",
    SessionStatus.OBSERVING: "in-progress",
    SessionStatus.DISCHARGED: "completed",
    SessionStatus.CANCELLED: "cancelled",
    SessionStatus.NO_SHOW: "cancelled",
}


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
                "description": f"Session {session.number}: {session.get_kind_display()}",
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
                        codes.coding(
                            codes.LOCAL_SESSION_KIND, session.kind, session.get_kind_display()
                        )
                    ],
                    "text": session.get_kind_display(),
                }
            ],
            "subject": reference("Patient", session.patient_id),
            "period": period,
            "location": locations,
            "serviceProvider": reference("Organization", session.site.organisation_id),
        }
    )
