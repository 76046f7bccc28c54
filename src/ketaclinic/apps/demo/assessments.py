"""Demo assessments: PHQ-9 and GAD-7 trajectories that tell the stories clinics see.

For each patient's first course with dosed sessions, a self-reported PHQ-9 and GAD-7 before
the first session (the baseline) and PHQ-9 before every later session, GAD-7 at the middle
and end of the course, then monthly follow-ups until now. The courses follow one of six
shapes: responders (gradual fall to about 40% of baseline), rapid responders (most of the
fall after the first infusion), partial responders (a 25-45% fall), non-responders,
relapsers (a response that fades within months) and a few who get worse — a mix close to
the community figures the outcomes page compares with. PTSD patients also get a PCL-5,
and about one in ten depression patients a QIDS-SR16, at baseline and at the end.

Every total comes from ``clinical.scales.score`` over item answers drawn to add up to it
(a dozen answer patterns per total, each scored once: see ``_AnswerPool``).
A few patients answered PHQ-9 item 9 above 0: each such assessment has its urgent alert,
open for the handful of recent ones and acknowledged with a note for the older ones, so
the demo keeps the rule that no alert flag is ever stored without its alert. Without demo
sessions the dates are laid out from today instead. Everything is inserted in bulk.
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
import itertools
import random
from collections.abc import Iterator
from typing import Any

from ketaclinic.apps.alerts.choices import AlertKind, AlertLevel
from ketaclinic.apps.alerts.models import Alert
from ketaclinic.apps.assessments.choices import AssessmentSource
from ketaclinic.apps.assessments.models import Assessment
from ketaclinic.apps.demo.treatment import dosed_course_batches
from ketaclinic.apps.patients.choices import ConditionCode
from ketaclinic.apps.patients.models import Condition, Patient
from ketaclinic.apps.web.bulk_write import insert_rows
from ketaclinic.clinical.scales import score

__all__ = ["SHAPES", "create_assessments"]

# (shape, share of courses): what the patient's PHQ-9 does over the course.
SHAPES = (
    ("responder", 25),
    ("rapid_responder", 12),
    ("partial", 20),
    ("non_responder", 26),
    ("relapser", 12),
    ("worse", 5),
)
# Fraction of baseline at the end of the course (low, high) and after it, by shape.
END_FRACTION = {
    "responder": (0.25, 0.48),
    "rapid_responder": (0.2, 0.45),
    "partial": (0.55, 0.75),
    "non_responder": (0.8, 1.05),
    "relapser": (0.25, 0.45),
    "worse": (1.05, 1.25),
}
DEPRESSION = {
    ConditionCode.TREATMENT_RESISTANT_DEPRESSION,
    ConditionCode.MAJOR_DEPRESSION,
    ConditionCode.BIPOLAR_DEPRESSION,
}
OPEN_ALERTS = 5
HISTORIC_ITEM9_SHARE = 0.01
FALLBACK_SESSION_DAYS = (0, 3, 7, 10, 14, 17)


def _items(rng: random.Random, total: int, count: int, top: int, skip: int | None = None):
    """``count`` item answers from 0 to ``top`` adding up to ``total`` (item ``skip`` is 0)."""
    answers = [0] * count
    open_items = [i for i in range(count) if i != skip]
    total = max(0, min(total, top * len(open_items)))
    for _ in range(total):
        index = rng.choice(open_items)
        answers[index] += 1
        if answers[index] == top:
            open_items.remove(index)
    return answers


class _AnswerPool:
    """Item answers by (total, items, top, skipped item), drawn from a small pool per key:
    100,000 assessments then need a few thousand draws and scorings, not 100,000 (patients
    with the same total share a handful of answer patterns, which nobody reading one chart
    can tell)."""

    SIZE = 12

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.pools: dict[tuple, list[list[int]]] = {}

    def items(self, total: int, count: int, top: int, skip: int | None = None) -> list[int]:
        key = (total, count, top, skip)
        pool = self.pools.get(key)
        if pool is None:
            pool = self.pools[key] = [
                _items(self.rng, total, count, top, skip) for _ in range(self.SIZE)
            ]
        return self.rng.choice(pool)


def _qids_answers(rng: random.Random, total: int) -> list[int]:
    """16 QIDS-SR16 answers whose domain total (highest sleep item + ... ) is ``total``."""
    domains = _items(rng, total, 9, 3, skip=6)  # domain 7 is item 12 (suicide): kept at 0
    sleep, mood, appetite, conc, self_view, suicide, interest, energy, psychomotor = (
        domains[0],
        domains[1],
        domains[2],
        domains[3],
        domains[4],
        domains[6],
        domains[5],
        domains[7],
        domains[8],
    )
    sleep_items = [rng.randint(0, sleep) for _ in range(4)]
    sleep_items[rng.randrange(4)] = sleep
    appetite_items = [0, 0, 0, 0]
    appetite_items[rng.randrange(4)] = appetite
    motor = [rng.randint(0, psychomotor), rng.randint(0, psychomotor)]
    motor[rng.randrange(2)] = psychomotor
    return [
        *sleep_items,
        mood,
        *appetite_items,
        conc,
        self_view,
        suicide,
        interest,
        energy,
        *motor,
    ]


def _assessment(
    scale: str,
    answers: list[int],
    patient_id: int,
    site_id: int,
    taken_at: dt.datetime,
    session_id: int | None = None,
) -> dict[str, Any]:
    """One self-reported assessment's column values, scored by the core."""
    return {
        "patient_id": patient_id,
        "site_id": site_id,
        **_scored(scale, tuple(answers)),
        "source": AssessmentSource.SELF_REPORT,
        "taken_at": taken_at,
        "session_id": session_id,
    }


@functools.lru_cache(maxsize=16384)
def _scored(scale: str, answers: tuple[int, ...]) -> dict[str, Any]:
    """The columns the core's score gives these answers; rows with the same answers share
    them (nothing changes a row once made)."""
    return _columns(scale, score(scale, list(answers)))


def _columns(scale: str, result: Any) -> dict[str, Any]:
    """An assessment row's columns from the core's score of its answers."""
    return {
        "instrument": scale,
        "instrument_version": result.version,
        "answers": dict(result.answers),
        "total": result.total,
        "max_total": result.max_total,
        "band": result.band or "",
        "band_label": result.band_label or "",
        "subscores": dict(result.subscores),
        "indicators": dict(result.indicators),
        "flags": [
            {"code": f.code, "item": f.item, "level": str(f.level), "message": f.message}
            for f in result.flags
        ],
        "has_alert": result.has_alert,
    }


def _insert(rows: list[dict[str, Any]], now: dt.datetime) -> None:
    """Insert many rows as plain rows (``bulk_write.insert_rows``): the ORM's per-object work is
    most of the cost at 10,000 patients. Values are prepared by the fields themselves."""
    if not rows:
        return
    names = [*rows[0], "created_at"]
    insert_rows(Assessment, names, ([*row.values(), now] for row in rows))


COURSE_BATCH = 2000
"""Courses whose assessments are drawn and inserted together, so the step holds one batch's
rows at a time (plus the few it holds back for alerts), whatever the clinic's size."""


def _course_batches(rng: random.Random, now: dt.datetime) -> Iterator[list[dict[str, Any]]]:
    """One course per patient (its first), ``COURSE_BATCH`` at a time: its dosed sessions, or,
    without any treatment demo, dates laid out from today."""
    courses: list[dict[str, Any]] = []
    seen: set[int] = set()
    any_course = False
    columns = (
        "id",
        "course_id",
        "patient_id",
        "site_id",
        "dose_started_at",
        "course__prescriber_id",
    )
    for by_course in dosed_course_batches(now, columns, COURSE_BATCH):
        for sessions in by_course:
            patient_id = sessions[0][2]
            if patient_id in seen:
                continue
            seen.add(patient_id)
            any_course = True
            courses.append(
                {
                    "patient_id": patient_id,
                    "site_id": sessions[0][3],
                    "prescriber_id": sessions[0][5],
                    "sessions": [(s[0], s[4]) for s in sessions],
                }
            )
        if len(courses) >= COURSE_BATCH:
            yield courses
            courses = []
    if any_course:
        if courses:
            yield courses
        return
    for patient_id, site_id in Patient.objects.order_by("id").values_list("id", "site_id"):
        if rng.random() < 0.6:
            start = now - dt.timedelta(days=rng.randint(25, 240), hours=rng.randint(0, 6))
            dates = [(None, start + dt.timedelta(days=d)) for d in FALLBACK_SESSION_DAYS]
            courses.append(
                {
                    "patient_id": patient_id,
                    "site_id": site_id,
                    "prescriber_id": None,
                    "sessions": dates,
                }
            )
    yield courses


def _trajectory(rng: random.Random, shape: str, baseline: int, sessions: int) -> list[int]:
    """PHQ-9 totals before each session (the first is the baseline) and one day after the last."""
    low, high = END_FRACTION[shape]
    end = baseline * rng.uniform(low, high)
    totals = [baseline]
    for number in range(1, sessions + 1):
        progress = number / sessions
        if shape == "rapid_responder":
            progress = min(1.0, 0.75 + 0.25 * progress) if number > 0 else 0
        elif shape in ("responder", "relapser", "partial"):
            progress = progress**0.8
        value = baseline + (end - baseline) * progress + rng.uniform(-1.6, 1.6)
        totals.append(round(value))
    return [max(0, min(27, t)) for t in totals]


def create_assessments(users: dict, rng: random.Random, now: dt.datetime) -> int:
    """Create the demo assessments (and the alerts their flags demand); returns the count.

    A batch of courses at a time (``COURSE_BATCH``); what waits for the end is only what
    the alerts need: the ``OPEN_ALERTS`` newest latest PHQ-9s so far (a heap) and the older
    PHQ-9s drawn to answer item 9 (about 1%)."""
    primary = dict(Condition.objects.filter(primary=True).values_list("patient_id", "code"))
    pool = _AnswerPool(rng)
    prescriber_of: dict[int, int | None] = {}
    newest: list[tuple[dt.datetime, int, dict[str, Any]]] = []  # min-heap by taken_at
    order = itertools.count()
    flagged: list[dict[str, Any]] = []
    count = 0
    for courses in _course_batches(rng, now):
        rows, screens, latest_phq9 = _draw(courses, primary, pool, prescriber_of, rng, now)
        held: set[int] = set()  # ids of this batch's rows in ``newest``
        spilled = []  # earlier batches' rows pushed out of ``newest``
        for index in latest_phq9.values():
            item = (rows[index]["taken_at"], next(order), rows[index])
            if len(newest) < OPEN_ALERTS:
                heapq.heappush(newest, item)
            elif item[:2] > newest[0][:2]:
                out = heapq.heapreplace(newest, item)[2]
                if id(out) in held:
                    held.discard(id(out))
                else:
                    spilled.append(out)
            else:
                continue
            held.add(id(rows[index]))
        latest_set = set(latest_phq9.values())
        plain = spilled
        for index, row in enumerate(rows):
            if id(row) in held:
                continue
            if (
                row["instrument"] == "phq9"
                and index not in latest_set
                and rng.random() < HISTORIC_ITEM9_SHARE
            ):
                flagged.append(_with_item9(row, rng.choice((1, 1, 1, 2))))
            else:
                plain.append(row)
        _insert(plain, now)
        _insert(screens, now)
        count += len(rows) + len(screens)
    flagged += [_with_item9(row, rng.choice((1, 1, 1, 2))) for _at, _n, row in newest]
    # The few flagged ones through the ORM, for the primary keys their alerts point at.
    with_alerts = Assessment.objects.bulk_create([Assessment(**row) for row in flagged])
    _create_alerts(rng, with_alerts, prescriber_of, users, now)
    return count


def _draw(
    courses: list[dict[str, Any]],
    primary: dict[int, str],
    pool: _AnswerPool,
    prescriber_of: dict[int, int | None],
    rng: random.Random,
    now: dt.datetime,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[int, int]]:
    """The assessment rows and C-SSRS screens of ``courses``, and the index in the rows of
    each patient's latest PHQ-9."""
    shapes, weights = zip(*SHAPES, strict=True)
    rows: list[dict[str, Any]] = []
    screens: list[dict[str, Any]] = []
    latest_phq9: dict[int, int] = {}
    for course in courses:
        patient_id, site_id = course["patient_id"], course["site_id"]
        prescriber_of[patient_id] = course["prescriber_id"]
        sessions = course["sessions"]
        shape = rng.choices(shapes, weights)[0]
        baseline = max(10, min(26, round(rng.gauss(18.5, 3.5))))
        totals = _trajectory(rng, shape, baseline, len(sessions))
        gad_ratio = rng.uniform(0.55, 0.9)
        middle = len(sessions) // 2
        for index, total in enumerate(totals):
            if index < len(sessions):
                session_id, at = sessions[index]
                taken = at - dt.timedelta(minutes=rng.randint(20, 90))
            else:
                session_id, taken = None, sessions[-1][1] + dt.timedelta(hours=22)
            if taken > now:
                break
            latest_phq9[patient_id] = len(rows)
            rows.append(
                _assessment(
                    "phq9", pool.items(total, 9, 3, skip=8), patient_id, site_id, taken, session_id
                )
            )
            if index in (0, middle, len(totals) - 1):
                gad = round(total * gad_ratio + rng.uniform(-1.5, 1.5))
                rows.append(
                    _assessment(
                        "gad7", pool.items(gad, 7, 3), patient_id, site_id, taken, session_id
                    )
                )
        code = primary.get(patient_id)
        ends = (sessions[0][1] - dt.timedelta(hours=2), sessions[-1][1] + dt.timedelta(hours=22))
        if code == ConditionCode.PTSD:
            pcl = max(33, min(80, round(rng.gauss(52, 9))))
            end_pcl = round(pcl * rng.uniform(0.45, 1.0))
            for total, taken in zip((pcl, end_pcl), ends, strict=True):
                if taken <= now:
                    rows.append(
                        _assessment("pcl5", pool.items(total, 20, 4), patient_id, site_id, taken)
                    )
        elif code in DEPRESSION and rng.random() < 0.1:
            qids = max(11, min(24, round(baseline * 0.9)))
            for total, taken in zip((qids, round(qids * totals[-1] / baseline)), ends, strict=True):
                if taken <= now:
                    rows.append(
                        _assessment(
                            "qids_sr16", _qids_answers(rng, total), patient_id, site_id, taken
                        )
                    )
        if code == ConditionCode.MAJOR_DEPRESSION and course["prescriber_id"] is not None:
            screens.extend(_cssrs_screens(rng, course, shape, ends, now))
        last = sessions[-1][1] + dt.timedelta(hours=22)
        follow_total = totals[-1]
        for month in range(1, 10):
            taken = last + dt.timedelta(days=30 * month, hours=rng.randint(-30, 30))
            if taken > now:
                break
            if shape == "relapser":
                follow_total = min(baseline, follow_total + rng.randint(2, 5))
            else:
                follow_total = max(0, min(27, follow_total + rng.randint(-2, 2)))
            latest_phq9[patient_id] = len(rows)
            rows.append(
                _assessment(
                    "phq9", pool.items(follow_total, 9, 3, skip=8), patient_id, site_id, taken
                )
            )
    return rows, screens, latest_phq9


CSSRS_ANSWERS = {
    "none": {"item1": 0, "item2": 0, "item6": 0},
    "low": {"item1": 1, "item2": 0, "item6": 0},  # wish to be dead; no thoughts, no behaviour
}


@functools.lru_cache(maxsize=4)
def _cssrs_scored(level: str) -> dict[str, Any]:
    return _columns("cssrs_screen", score("cssrs_screen", CSSRS_ANSWERS[level]))


def _cssrs_screens(
    rng: random.Random,
    course: dict[str, Any],
    shape: str,
    ends: tuple[dt.datetime, dt.datetime],
    now: dt.datetime,
) -> list[dict[str, Any]]:
    """Major depression with suicidal ideation: the prescriber's C-SSRS screen before the
    first dose (mostly "low": a wish to be dead) and at the end of induction (lower in most
    who respond, in fewer of those who do not)."""
    before = "low" if rng.random() < 0.85 else "none"
    better = 0.8 if shape in ("responder", "rapid_responder", "relapser") else 0.35
    after = "none" if before == "none" or rng.random() < better else "low"
    screens = []
    for level, taken in zip((before, after), ends, strict=True):
        if taken > now:
            break
        screens.append(
            {
                "patient_id": course["patient_id"],
                "site_id": course["site_id"],
                **_cssrs_scored(level),
                "source": AssessmentSource.CLINICIAN,
                "entered_by_id": course["prescriber_id"],
                "taken_at": taken - dt.timedelta(minutes=30),
                "session_id": None,
            }
        )
    return screens


def _with_item9(row: dict[str, Any], value: int) -> dict[str, Any]:
    answers = [row["answers"][f"item{n}"] for n in range(1, 10)]
    donor = max(range(8), key=lambda i: answers[i])
    if answers[donor] > 0:
        answers[donor] -= 1
    answers[8] = value
    return _assessment(
        "phq9", answers, row["patient_id"], row["site_id"], row["taken_at"], row["session_id"]
    )


def _create_alerts(
    rng: random.Random,
    flagged: list[Assessment],
    prescriber_of: dict[int, int | None],
    users: dict,
    now: dt.datetime,
) -> None:
    """One alert per flagged assessment: the newest open, older ones acknowledged."""
    newest = sorted(flagged, key=lambda a: a.taken_at, reverse=True)[:OPEN_ALERTS]
    open_ids = {a.pk for a in newest}
    director = users.get("director")
    alerts = []
    for assessment in flagged:
        assigned = prescriber_of.get(assessment.patient_id)
        value = assessment.answers["item9"]
        acknowledged = assessment.pk not in open_ids
        at = assessment.taken_at
        closed_at = min(now, at + dt.timedelta(hours=rng.randint(1, 20)))
        alerts.append(
            Alert(
                site_id=assessment.site_id,
                patient_id=assessment.patient_id,
                kind=AlertKind.SUICIDAL_IDEATION,
                level=AlertLevel.URGENT,
                title=f"PHQ-9 item 9 answered {value}",
                message=assessment.flags[0]["message"],
                source_type="assessment",
                source_id=str(assessment.pk),
                assigned_to_id=assigned,
                raised_at=at,
                acknowledged_by_id=(assigned or director.pk) if acknowledged else None,
                acknowledged_at=closed_at if acknowledged else None,
                acknowledgement_note=(
                    "Called the patient: passive thoughts, no plan or intent; safety plan "
                    "reviewed, crisis line given."
                    if acknowledged
                    else ""
                ),
            )
        )
    Alert.objects.bulk_create(alerts, batch_size=500)
