"""A small clinic whose outcomes are worked out by hand (see ``build_cohort``).

The fixed clock is 2026-03-10 14:00 UTC. Courses start in January; sessions every 3 days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from tests.personas import make_patient

from ketaclinic.apps.assessments.models import Assessment
from ketaclinic.apps.charting.models import AdverseEvent, PreCheck
from ketaclinic.apps.outcomes.refreshing import refresh_course_outcomes
from ketaclinic.apps.treatment.models import Course, Session
from ketaclinic.clinical.scales import score

NOW = dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)
START = dt.datetime(2026, 1, 5, 15, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def make_course(
    clinic,
    patient,
    *,
    route="iv",
    given=6,
    planned=6,
    status="completed",
    start=START,
    undone="cancelled",
    indication="trd",
):
    course = Course.objects.create(
        patient=patient,
        site=patient.site,
        protocol_id="esketamine-trd" if route == "esketamine" else "iv-depression-induction",
        route=route,
        status=status,
        indication=indication,
        prescriber=clinic.prescriber,
        target_dose_mg_per_kg=None if route == "esketamine" else Decimal("0.5"),
        target_dose_mg=Decimal("56") if route == "esketamine" else None,
        starts_on=start.date(),
    )
    sessions = []
    for number in range(1, planned + 1):
        at = start + (number - 1) * 3 * DAY
        done = number <= given
        sessions.append(
            Session.objects.create(
                course=course,
                patient=patient,
                site=patient.site,
                number=number,
                planned_start=at,
                status="discharged" if done else undone,
                checked_in_at=at - dt.timedelta(minutes=10) if done else None,
                dose_started_at=at if done else None,
                discharged_at=at + dt.timedelta(hours=2) if done else None,
            )
        )
    return course, sessions


def phq9(patient, total: int, at: dt.datetime, item9: int = 0) -> Assessment:
    answers = [0] * 9
    answers[8] = item9
    for position in range(total - item9):
        answers[position % 8] += 1
    result = score("phq9", answers)
    return Assessment.objects.create(
        patient=patient,
        site=patient.site,
        instrument="phq9",
        instrument_version=result.version,
        answers=dict(result.answers),
        total=result.total,
        max_total=result.max_total,
        band=result.band or "",
        source="self_report",
        taken_at=at,
    )


def adverse_event(clinic, session, kind: str) -> AdverseEvent:
    return AdverseEvent.objects.create(
        session=session,
        kind=kind,
        severity="mild",
        onset_at=session.dose_started_at + dt.timedelta(minutes=20),
        action_taken="observed",
        recorded_by=clinic.nurse,
        recorded_at=session.dose_started_at + dt.timedelta(minutes=25),
    )


def hold(clinic, session) -> PreCheck:
    return PreCheck.objects.create(
        session=session,
        checked_at=session.dose_started_at - dt.timedelta(minutes=5),
        bp_systolic=172,
        bp_diastolic=96,
        heart_rate=80,
        spo2=98,
        questionnaires_done=True,
        questionnaire_evidence="nurse_confirmed",
        last_food_minutes_ago=400,
        last_liquid_minutes_ago=200,
        escort_present=True,
        decision="hold",
        checked_by=clinic.nurse,
    )


@dataclass
class Cohort:
    patients: dict
    courses: dict


def build_cohort(clinic) -> Cohort:
    """Site A, by hand (response = end ≤ half the baseline; PHQ-9 remission = total ≤ 4):

    p1 IV: baseline 20, 9 at 20 h (rapid: 9 ≤ 10), end 8 -> responds, no remission;
       9 forty days after the last dose -> still responding, censored at 40 days.
       Session 2: nausea and vomiting (one session).
    p2 IV: baseline 18, end 3 -> responds and remits; 12 thirty days after -> relapse at 30.
    p3 IV: baseline 20, end 15 -> no response, completed. Session 1: hypertension.
    p4 IV: baseline 22, two sessions, stopped, no later score -> lost to follow-up.
    p5 esketamine: baseline 10, end 14 -> worsened. Session 3 held at the pre-check.
    bob (site B) IV: baseline 20, end 4 -> responds; never counted for site A's staff.

    Site A: started 5; completed 4 (p1, p2, p3, p5); completers with follow-up 4;
    response 2/5 ITT, 2/4 completers; remission 1/5, 1/4; rapid 1/5, 1/4; worsening 1/5,
    1/4; lost to follow-up 1/5; sessions attended 6+6+6+2+6 = 26, any AE 2, holds 1.
    Kaplan–Meier: p2 relapses at 30 (2 at risk: S = 1/2), p1 censored at 40.
    """
    a = clinic.site_a
    patients = {
        "p1": clinic.alice,
        "p2": make_patient(a, "K000002", "Pia", "Two", dt.date(1990, 1, 1)),
        "p3": make_patient(a, "K000003", "Pete", "Three", dt.date(1970, 1, 1)),
        "p4": make_patient(a, "K000004", "Poppy", "Four", dt.date(1960, 1, 1)),
        "p5": make_patient(a, "K000005", "Paz", "Five", dt.date(2000, 1, 1)),
        "bob": clinic.bob,
    }
    courses = {}
    before = START - 2 * DAY
    end = START + 15 * DAY  # the sixth dose
    for key, baseline, final in (
        ("p1", 20, 8),
        ("p2", 18, 3),
        ("p3", 20, 15),
        ("bob", 20, 4),
    ):
        courses[key], sessions = make_course(clinic, patients[key])
        phq9(patients[key], baseline, before)
        phq9(patients[key], final, end + dt.timedelta(hours=3))
        courses[key].sessions_list = sessions
    phq9(patients["p1"], 9, START + dt.timedelta(hours=20))
    phq9(patients["p1"], 9, end + 40 * DAY)
    phq9(patients["p2"], 12, end + 30 * DAY)
    adverse_event(clinic, courses["p1"].sessions_list[1], "nausea")
    adverse_event(clinic, courses["p1"].sessions_list[1], "vomiting")
    adverse_event(clinic, courses["p3"].sessions_list[0], "hypertension")
    courses["p4"], _ = make_course(clinic, patients["p4"], given=2, status="stopped")
    phq9(patients["p4"], 22, before)
    courses["p5"], sessions = make_course(clinic, patients["p5"], route="esketamine")
    phq9(patients["p5"], 10, before)
    phq9(patients["p5"], 14, end + dt.timedelta(hours=3))
    hold(clinic, sessions[2])
    refresh_course_outcomes([c.pk for c in courses.values()], NOW)
    return Cohort(patients, courses)


CSSRS_ANSWERS = {
    "none": {"item1": 0, "item2": 0, "item6": 0},
    "low": {"item1": 1, "item2": 0, "item6": 0},
    "moderate": {"item1": 1, "item2": 1, "item3": 1, "item4": 0, "item5": 0, "item6": 0},
    "high": {"item1": 1, "item2": 1, "item3": 1, "item4": 0, "item5": 1, "item6": 0},
}


def cssrs(clinic, patient, level: str, at: dt.datetime) -> Assessment:
    """A C-SSRS screen whose answers reach ``level`` (no total: the band is the level)."""
    result = score("cssrs_screen", CSSRS_ANSWERS[level])
    assert result.band == level
    return Assessment.objects.create(
        patient=patient,
        site=patient.site,
        instrument="cssrs_screen",
        instrument_version=result.version,
        answers=dict(result.answers),
        total=None,
        band=result.band,
        source="clinician",
        entered_by=clinic.prescriber,
        taken_at=at,
    )
