"""Demo outcomes: PHQ-9 histories and session adverse events where the other areas left none,
PEG pain scores for chronic-pain courses (judged on pain, not mood), then the stored course
outcomes, so the outcomes page has honest, unflattering numbers.

Each started course whose patient has no PHQ-9 yet gets a baseline before the first dose and
a score after each dosed session, drawn from a mix close to the community figures
(``outcomes_community_mcinnes2022``: about half respond, under a third remit, ~8% worsen):
about 40% respond (some within a day), 35% do not, 5% get worse and 20% stop answering after
the first sessions (no follow-up: they count against the clinic in intent to treat). After
the induction, responders are followed monthly and about half of them lose their response
within six months (KetECT's and McInnes's durability). Session adverse events are added only
if the session chart's demo added none, at rates of the order reported for IV ketamine.
Everything is inserted in bulk from the ``rng`` passed in.
"""

from __future__ import annotations

import datetime as dt
import functools
import random

from ketaclinic.apps.assessments.choices import AssessmentSource
from ketaclinic.apps.assessments.models import Assessment
from ketaclinic.apps.charting.choices import AdverseEventKind, Severity
from ketaclinic.apps.charting.models import AdverseEvent
from ketaclinic.apps.demo.treatment import dosed_course_batches
from ketaclinic.apps.outcomes.refreshing import refresh_all
from ketaclinic.apps.treatment.choices import Indication
from ketaclinic.apps.treatment.models import Course
from ketaclinic.apps.web import clock
from ketaclinic.apps.web.bulk_write import insert_rows
from ketaclinic.clinical.scales import score

BATCH = 2000
# (kind, share of dosed sessions, what was done)
EVENT_RATES = (
    (AdverseEventKind.NAUSEA, 0.06, "Ondansetron 4 mg IV; settled."),
    (AdverseEventKind.VOMITING, 0.015, "Ondansetron; observed until settled."),
    (AdverseEventKind.HYPERTENSION, 0.03, "Infusion paused; BP rechecked until below threshold."),
    (AdverseEventKind.DISSOCIATION, 0.04, "Reassurance, lights dimmed; resolved."),
    (AdverseEventKind.SEDATION, 0.01, "Infusion stopped; observed until MOAA/S 5."),
    (AdverseEventKind.EMERGENCE_REACTION, 0.01, "Calm room, reassurance; resolved."),
)
# (kind of course, share): what the patient's scores do.
TRAJECTORIES = (("responder", 0.40), ("non_responder", 0.35), ("worse", 0.05), ("dropout", 0.20))
# An assessment as a plain row (``bulk_write.insert_rows``), in this order; the scored part
# (version .. indicators) is the same for every score of one instrument and total.
SCORE_COLUMNS = (
    "patient_id", "site_id", "instrument", "instrument_version", "answers", "total",
    "max_total", "band", "band_label", "subscores", "indicators", "flags", "has_alert",
    "source", "taken_at", "created_at",
)  # fmt: skip
NO_FLAGS: list = []


def create_outcomes(users: dict, rng: random.Random, now: dt.datetime) -> int:
    """Add missing PHQ-9 histories and adverse events, then judge every course as of ``now``."""
    have = set(Assessment.objects.filter(instrument="phq9").values_list("patient_id", flat=True))
    pain = set(
        Course.objects.filter(indication=Indication.CHRONIC_PAIN).values_list("id", flat=True)
    )
    events = not AdverseEvent.objects.exists()
    columns = ("id", "course_id", "patient_id", "site_id", "dose_started_at")
    for by_course in dosed_course_batches(now, columns):  # a batch of courses at a time
        _add_scores(by_course, have, rng, now)
        _add_pain_scores([sessions for sessions in by_course if sessions[0][1] in pain], rng)
        if events:
            _add_adverse_events([row for sessions in by_course for row in sessions], users, rng)
    return refresh_all(now)


def _add_scores(by_course: list[list], have: set[int], rng: random.Random, now) -> None:
    """A PHQ-9 history for each course (its sessions in ``by_course``) of a patient not in
    ``have`` (who has one already), added to ``have``."""
    rows: list[tuple] = []
    for sessions in by_course:
        patient_id, site_id = sessions[0][2], sessions[0][3]
        if patient_id in have:
            continue  # a second course of the same patient: one history is enough
        have.add(patient_id)
        kind = _choose(rng)
        baseline = rng.randint(13, 24)
        first = sessions[0][4]
        rows.append(
            _phq9(patient_id, site_id, baseline, first - dt.timedelta(days=rng.randint(1, 9)))
        )
        target = {
            "responder": rng.randint(2, baseline // 2),
            "non_responder": rng.randint(baseline // 2 + 1, baseline - 1),
            "worse": min(27, baseline + rng.randint(1, 4)),
            "dropout": baseline,
        }[kind]
        if kind == "responder" and rng.random() < 0.35:
            early = rng.randint(max(0, target - 2), baseline // 2)
            rows.append(_phq9(patient_id, site_id, early, first + dt.timedelta(hours=20)))
        answered = sessions[: rng.randint(1, 2)] if kind == "dropout" else sessions
        if kind == "dropout" and rng.random() < 0.5:
            answered = []
        for number, (_id, _c, _p, _s, at) in enumerate(answered, start=1):
            fraction = number / len(sessions)
            total = round(baseline + (target - baseline) * fraction + rng.uniform(-1.5, 1.5))
            rows.append(_phq9(patient_id, site_id, total, at + dt.timedelta(hours=3)))
        if kind == "responder" and len(answered) == len(sessions):
            rows.extend(
                _follow_up(patient_id, site_id, baseline, target, sessions[-1][4], rng, now)
            )
    _insert_scores(rows)


def _add_pain_scores(by_course: list[list], rng: random.Random) -> None:
    """PEG scores for chronic-pain courses: their outcomes are judged on pain, not mood.

    A baseline before the first dose and a score after each dosed session; about a third
    respond (a fall of 30% or more), in line with the modest, short-lived analgesia of
    repeated ketamine in chronic pain.
    """
    rows: list[tuple] = []
    for sessions in by_course:
        patient_id, site_id, first = sessions[0][2], sessions[0][3], sessions[0][4]
        baseline = rng.randint(15, 27)
        fraction = rng.uniform(0.4, 0.65) if rng.random() < 0.35 else rng.uniform(0.75, 1.05)
        rows.append(_peg(patient_id, site_id, baseline, first - dt.timedelta(days=2)))
        for number, (*_ids, at) in enumerate(sessions, start=1):
            progress = number / len(sessions)
            total = round(baseline * (1 - (1 - fraction) * progress) + rng.uniform(-1.5, 1.5))
            rows.append(_peg(patient_id, site_id, total, at + dt.timedelta(hours=4)))
    _insert_scores(rows)


def _insert_scores(rows: list[tuple]) -> None:
    """The rows as plain rows: ``created_at`` is the moment of insertion, as ``bulk_create``
    would set it (``auto_now_add``)."""
    created = clock.now()
    insert_rows(Assessment, SCORE_COLUMNS, ((*row, created) for row in rows))


@functools.cache
def _scored(instrument: str, total: int) -> tuple:
    """(version, answers, total, max total, band, band label, subscores, indicators) of the
    demo's answers summing to ``total``, scored once by the core; the rows share it."""
    if instrument == "peg":
        answers = [total // 3 + (1 if position < total % 3 else 0) for position in range(3)]
    else:
        answers = [0] * 9
        for position in range(total):
            answers[position % 8] += 1  # item 9 (suicidal thoughts) stays 0 in the demo
    result = score(instrument, answers)
    if instrument == "peg":
        return (result.version, dict(result.answers), result.total, result.max_total,
                "", "", {}, {})  # fmt: skip
    return (
        result.version, dict(result.answers), result.total, result.max_total,
        result.band or "", result.band_label or "", dict(result.subscores),
        dict(result.indicators),
    )  # fmt: skip


def _peg(patient_id: int, site_id: int, total: int, taken_at: dt.datetime) -> tuple:
    scored = _scored("peg", max(0, min(30, total)))
    return (patient_id, site_id, "peg", *scored, NO_FLAGS, False,
            AssessmentSource.SELF_REPORT, taken_at)  # fmt: skip


def _follow_up(patient_id, site_id, baseline, target, end, rng, now) -> list[tuple]:
    """Monthly scores after the induction; about half of responders lose their response."""
    relapse_month = rng.randint(1, 6) if rng.random() < 0.5 else None
    rows, month = [], 1
    while (at := end + dt.timedelta(days=30 * month)) < now and month <= 9:
        relapsed = relapse_month is not None and month >= relapse_month
        if relapsed:
            total = rng.randint(baseline // 2 + 1, baseline)
        else:
            total = min(target + rng.randint(0, 2), baseline // 2)
        rows.append(_phq9(patient_id, site_id, total, at))
        month += 1
    return rows


def _phq9(patient_id: int, site_id: int, total: int, taken_at: dt.datetime) -> tuple:
    scored = _scored("phq9", max(0, min(24, total)))
    return (patient_id, site_id, "phq9", *scored, NO_FLAGS, False,
            AssessmentSource.SELF_REPORT, taken_at)  # fmt: skip


def _add_adverse_events(dosed: list, users: dict, rng: random.Random) -> None:
    nurse = users["nurse"]
    rows = []
    for session_id, _course, _patient, _site, at in dosed:
        for kind, share, action in EVENT_RATES:
            if rng.random() < share:
                onset = at + dt.timedelta(minutes=rng.randint(5, 40))
                rows.append(
                    AdverseEvent(
                        session_id=session_id,
                        kind=kind,
                        severity=Severity.MILD if rng.random() < 0.8 else Severity.MODERATE,
                        onset_at=onset,
                        action_taken=action,
                        recorded_by=nurse,
                        recorded_at=onset + dt.timedelta(minutes=5),
                    )
                )
    AdverseEvent.objects.bulk_create(rows, batch_size=BATCH)


def _choose(rng: random.Random) -> str:
    draw, running = rng.random(), 0.0
    for kind, share in TRAJECTORIES:
        running += share
        if draw < running:
            return kind
    return TRAJECTORIES[-1][0]
