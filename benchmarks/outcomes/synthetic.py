"""Synthetic clinics for the outcomes benchmark, written with PostgreSQL COPY.

Every patient has one IV or esketamine course of six sessions three days apart (a fifth of
them stop after one to three), a baseline PHQ-9 before the first dose, a score after every
dose, and monthly follow-ups for responders, about half of whom relapse. About 8% of
sessions have an adverse event and 2% a pre-dose hold. Columns not named here get the
empty value of their type, read from ``information_schema``, so the generator follows
the models as their owners change them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable

from django.db import connection
from psycopg.types.json import Jsonb

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)
AE_KINDS = ("nausea", "vomiting", "hypertension", "dissociation", "sedation", "emergence_reaction")


def _empty(data_type: str, as_of: dt.datetime) -> object:
    if data_type in ("text", "character varying"):
        return ""
    if data_type in ("integer", "smallint", "bigint", "numeric"):
        return 0
    if data_type == "boolean":
        return False
    if data_type == "jsonb":
        return Jsonb({})
    if data_type == "date":
        return as_of.date()
    return as_of


def copy_rows(table: str, columns: list[str], rows: Iterable[tuple], as_of: dt.datetime) -> int:
    """COPY ``rows`` into ``table``; other NOT NULL columns get their type's empty value."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s"
            " AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'",
            [table],
        )
        extra = [(name, kind) for name, kind in cursor.fetchall() if name not in columns]
        names = ", ".join(f'"{c}"' for c in [*columns, *(n for n, _ in extra)])
        fill = tuple(_empty(kind, as_of) for _, kind in extra)
        count = 0
        copy_sql = f'COPY "{table}" ({names}) FROM STDIN'
        with cursor.cursor.copy(copy_sql) as copy:
            for row in rows:
                copy.write_row((*row, *fill))
                count += 1
        # Table names are this module's constants, never input.
        reset = f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT max(id) FROM \"{table}\"))"  # noqa: E501, S608
        cursor.execute(reset)
    return count


def next_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT coalesce(max(id), 0) + 1 FROM "{table}"')  # noqa: S608
        return cursor.fetchone()[0]


def add_patients(
    count: int,
    *,
    site_ids: list[int],
    prescriber_id: int,
    nurse_id: int,
    as_of: dt.datetime,
    seed: int,
) -> list[int]:
    """Add ``count`` patients with their course, sessions, scores and events; course ids."""
    rng = random.Random(seed)
    patient_id, course_id = next_id("patients_patient"), next_id("treatment_course")
    session_id, assessment_id = next_id("treatment_session"), next_id("assessments_assessment")
    event_id, check_id = next_id("charting_adverseevent"), next_id("charting_precheck")
    patients, courses, sessions, scores, events, checks = [], [], [], [], [], []
    course_ids = []
    for _ in range(count):
        site = rng.choice(site_ids)
        born = dt.date(rng.randint(1945, 2005), rng.randint(1, 12), rng.randint(1, 28))
        sex = rng.choice(("female", "female", "male", "intersex"))
        patients.append(
            (patient_id, site, f"B{patient_id:08d}", "Synthetic", f"Patient{patient_id}", born, sex)
        )
        first = as_of - dt.timedelta(days=rng.uniform(25, 400))
        route = rng.choice(("iv", "iv", "iv", "esketamine"))
        protocol = "esketamine-trd" if route == "esketamine" else "iv-depression-induction"
        given = 6 if rng.random() < 0.8 else rng.randint(1, 3)
        courses.append(
            (
                course_id,
                patient_id,
                site,
                protocol,
                route,
                "induction",
                "completed" if given == 6 else "stopped",
                "trd",
                prescriber_id,
                first.date(),
            )
        )
        course_ids.append(course_id)
        times = [first + 3 * number * DAY for number in range(6)]
        for number, at in enumerate(times, start=1):
            done = number <= given
            sessions.append(
                (
                    session_id,
                    course_id,
                    patient_id,
                    site,
                    number,
                    "dosing",
                    "induction",
                    at,
                    120,
                    "discharged" if done else "cancelled",
                    at - 0.2 * HOUR if done else None,
                    at if done else None,
                    at + 2 * HOUR if done else None,
                )
            )
            if done and rng.random() < 0.08:
                onset = at + 0.4 * HOUR
                events.append(
                    (
                        event_id,
                        session_id,
                        rng.choice(AE_KINDS),
                        "mild",
                        onset,
                        "observed",
                        False,
                        nurse_id,
                        onset,
                    )
                )
                event_id += 1
            if done and rng.random() < 0.02:
                checks.append(
                    (
                        check_id,
                        session_id,
                        at - 0.1 * HOUR,
                        172,
                        96,
                        80,
                        98,
                        True,
                        "nurse_confirmed",
                        300,
                        200,
                        True,
                        "hold",
                        nurse_id,
                    )
                )
                check_id += 1
            session_id += 1

        def score(total: int, at: dt.datetime, patient_id: int = patient_id, site: int = site):
            nonlocal assessment_id
            scores.append(
                (
                    assessment_id,
                    patient_id,
                    site,
                    "phq9",
                    "synthetic",
                    Jsonb({"item9": 0}),
                    max(0, min(27, total)),
                    27,
                    "self_report",
                    at,
                    at,
                )
            )
            assessment_id += 1

        baseline = rng.randint(10, 24)
        score(baseline, first - rng.uniform(1, 10) * DAY)
        kind = rng.random()
        target = (
            rng.randint(0, baseline // 2)
            if kind < 0.45
            else rng.randint(baseline // 2 + 1, baseline)
            if kind < 0.93
            else baseline + rng.randint(1, 3)
        )
        if given < 6 and rng.random() < 0.5:
            patient_id += 1
            course_id += 1
            continue  # stopped and never answered again
        for number in range(given):
            share = (number + 1) / 6
            total = round(baseline + (target - baseline) * share + rng.uniform(-1.5, 1.5))
            score(total, times[number] + 3 * HOUR)
        end = times[given - 1]
        if target <= baseline // 2 and given == 6:
            relapse_month = rng.randint(1, 12) if rng.random() < 0.5 else None
            month = 1
            while (at := end + 30 * month * DAY) < as_of and month <= 12:
                lost = relapse_month is not None and month >= relapse_month
                score(rng.randint(baseline // 2 + 1, baseline) if lost else target, at)
                month += 1
        patient_id += 1
        course_id += 1

    copy_rows(
        "patients_patient",
        ["id", "site_id", "mrn", "given_name", "family_name", "date_of_birth", "sex_at_birth"],
        patients,
        as_of,
    )
    copy_rows(
        "treatment_course",
        [
            "id",
            "patient_id",
            "site_id",
            "protocol_id",
            "route",
            "phase",
            "status",
            "indication",
            "prescriber_id",
            "starts_on",
        ],
        courses,
        as_of,
    )
    copy_rows(
        "treatment_session",
        [
            "id",
            "course_id",
            "patient_id",
            "site_id",
            "number",
            "kind",
            "phase",
            "planned_start",
            "planned_minutes",
            "status",
            "checked_in_at",
            "dose_started_at",
            "discharged_at",
        ],
        sessions,
        as_of,
    )
    copy_rows(
        "assessments_assessment",
        [
            "id",
            "patient_id",
            "site_id",
            "instrument",
            "instrument_version",
            "answers",
            "total",
            "max_total",
            "source",
            "taken_at",
            "created_at",
        ],
        scores,
        as_of,
    )
    copy_rows(
        "charting_adverseevent",
        [
            "id",
            "session_id",
            "kind",
            "severity",
            "onset_at",
            "action_taken",
            "automatic",
            "recorded_by_id",
            "recorded_at",
        ],
        events,
        as_of,
    )
    copy_rows(
        "charting_precheck",
        [
            "id",
            "session_id",
            "checked_at",
            "bp_systolic",
            "bp_diastolic",
            "heart_rate",
            "spo2",
            "questionnaires_done",
            "questionnaire_evidence",
            "last_food_minutes_ago",
            "last_liquid_minutes_ago",
            "escort_present",
            "decision",
            "checked_by_id",
        ],
        checks,
        as_of,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return course_ids
