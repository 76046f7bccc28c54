"""What a data analyst would do: load every score and session into pandas, judge each course
in Python, then statsmodels for the intervals and lifelines for the durability curve.

The per-course rules are the same ``assess_course`` (an analyst would write equivalent code),
so the numbers must be identical to the dashboard's; the difference is *where* the work is
done and how often: here on every look at the figures, there once per change.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pandas as pd
from django.db import connection
from lifelines import KaplanMeierFitter
from statsmodels.stats.proportion import proportion_confint

from ketaclinic.apps.outcomes.definitions import PARAMETERS, definitions, primary_instrument
from ketaclinic.clinical.outcomes import CourseRecord, ScoredAssessment, assess_course

SCORES = """
SELECT a.patient_id, a.instrument, a.total, a.taken_at
FROM assessments_assessment a
WHERE a.total IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM assessments_assessment c WHERE c.corrects_id = a.id)
"""
SESSIONS = """
SELECT s.id, s.course_id, s.patient_id, s.status, s.phase, s.dose_started_at, s.checked_in_at,
       c.status AS course_status, c.indication
FROM treatment_session s JOIN treatment_course c ON c.id = s.course_id
WHERE s.kind = 'dosing'
"""
EVENTS = "SELECT DISTINCT session_id FROM charting_adverseevent"
HOLDS = "SELECT DISTINCT session_id FROM charting_precheck WHERE decision = 'hold'"


def _frame(sql: str) -> pd.DataFrame:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return pd.DataFrame(cursor.fetchall(), columns=[c.name for c in cursor.description])


def naive_figures(as_of: dt.datetime) -> dict:
    scores, sessions = _frame(SCORES), _frame(SESSIONS)
    with_event, held = set(_frame(EVENTS)["session_id"]), set(_frame(HOLDS)["session_id"])
    known = definitions()
    scores = scores[scores["instrument"].isin(list(known)) & (scores["taken_at"] <= as_of)]
    scores = scores.sort_values("taken_at", kind="stable")
    by_patient: dict[int, list[ScoredAssessment]] = defaultdict(list)
    for patient, instrument, total, taken in zip(
        scores["patient_id"].to_numpy(),
        scores["instrument"].to_numpy(),
        scores["total"].to_numpy(),
        [moment.to_pydatetime() for moment in scores["taken_at"]],
        strict=True,
    ):
        by_patient[int(patient)].append(ScoredAssessment(instrument, int(total), taken))

    dosed = sessions["dose_started_at"].notna() & (sessions["dose_started_at"] <= as_of)
    attended = sessions["dose_started_at"].notna() | sessions["checked_in_at"].notna()
    sessions = sessions.assign(
        dose_at=sessions["dose_started_at"].where(dosed),
        dosed=dosed,
        attended=attended,
        pending=sessions["status"].isin(["planned", "checked_in", "dosing", "observing"]),
        with_event=attended & sessions["id"].isin(with_event),
        held=attended & sessions["id"].isin(held),
    )
    courses = sessions.groupby("course_id").agg(
        patient=("patient_id", "first"),
        course_status=("course_status", "first"),
        indication=("indication", "first"),
        first=("dose_at", "min"),
        last=("dose_at", "max"),
        given=("dosed", "sum"),
        planned=("id", "size"),
        pending=("pending", "sum"),
        attended=("attended", "sum"),
        event_sessions=("with_event", "sum"),
        held=("held", "sum"),
    )
    courses = courses[courses["given"] > 0]
    rows = []
    for course in courses.itertuples():
        ended = course.course_status in ("completed", "stopped") or course.pending == 0
        record = CourseRecord(
            first_dose_at=course.first.to_pydatetime(),
            sessions_given=int(course.given),
            induction_end_at=course.last.to_pydatetime() if ended else None,
            planned_sessions=int(course.planned),
        )
        outcome = assess_course(
            record,
            by_patient[int(course.patient)],
            known,
            primary_instrument(course.indication),
            as_of=as_of,
            parameters=PARAMETERS,
        )
        rows.append(
            {
                "completed": outcome.completed,
                "followed": outcome.end_of_induction is not None,
                "responded": outcome.response.met,
                "remitted": outcome.remission.met,
                "rapid": outcome.rapid_response.met,
                "worsened": outcome.worsening.met,
                "at_risk": outcome.relapse.at_risk,
                "relapsed": outcome.relapse.relapsed,
                "days": outcome.relapse.days,
                "sessions": int(course.attended),
                "event_sessions": int(course.event_sessions),
                "held": int(course.held),
            }
        )
    table = pd.DataFrame(rows)
    completers = table[table["completed"] & table["followed"]]

    def wilson(events: int, total: int) -> tuple[int, int, float, float]:
        lower, upper = proportion_confint(events, total, alpha=0.05, method="wilson")
        return int(events), int(total), float(lower), float(upper)

    figures = {"started": len(table)}
    for name in ("responded", "remitted", "rapid", "worsened"):
        figures[f"{name}_itt"] = wilson(table[name].sum(), len(table))
        figures[f"{name}_completers"] = wilson(completers[name].sum(), len(completers))
    figures["lost"] = wilson((~table["followed"]).sum(), len(table))
    figures["adverse_events"] = wilson(table["event_sessions"].sum(), table["sessions"].sum())
    figures["holds"] = wilson(table["held"].sum(), table["sessions"].sum())
    risk = table[table["at_risk"]]
    fitter = KaplanMeierFitter().fit(risk["days"].astype(float), risk["relapsed"].astype(bool))
    figures["survival"] = {
        float(t): float(s) for t, s in fitter.survival_function_["KM_estimate"].items()
    }
    return figures
