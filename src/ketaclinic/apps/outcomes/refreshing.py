"""Recompute the stored ``CourseOutcome`` rows of some courses, as of a time.

Per batch of courses: one aggregate query over their sessions, one over holds, one over
adverse events, one over the current (non-superseded) scores of their patients, one over
their C-SSRS screens (risk levels, no total), two over home prescriptions and their misuse
signals, then
``clinical.outcomes.assess_course`` per course and a bulk replace of the rows. Only the
courses named are read, so a new score costs a handful of queries, whatever the clinic's
size; ``refresh_all`` walks every course in batches (the nightly job).

A patient's scores belong to the course they fall in: those taken before the first dose of
the patient's next course do not count as follow-up of the previous one.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, Max, Min, Q

from ketaclinic.apps.assessments.models import Assessment
from ketaclinic.apps.charting.choices import AdverseEventKind as ChartedKind
from ketaclinic.apps.charting.choices import PreCheckDecision
from ketaclinic.apps.charting.models import Administration, AdverseEvent, PreCheck
from ketaclinic.apps.homeprogram.models import HomePrescription, SupplyEvent
from ketaclinic.apps.outcomes.choices import ResponseGroup, age_band
from ketaclinic.apps.outcomes.cohort_cells import (
    apply_change,
    cell_figures,
    lock_cell_state,
    new_version,
    rebuild_cells,
)
from ketaclinic.apps.outcomes.definitions import PARAMETERS, definitions, primary_instrument
from ketaclinic.apps.outcomes.models import CourseOutcome, OutcomeExplanation, WeeklyScore
from ketaclinic.apps.treatment.choices import CoursePhase, CourseStatus, SessionKind, SessionStatus
from ketaclinic.apps.treatment.models import Course, Session
from ketaclinic.apps.web.bulk_write import insert_new
from ketaclinic.clinical.outcomes import (
    CourseOutcome as Judged,
)
from ketaclinic.clinical.outcomes import (
    CourseRecord,
    OutcomeFlag,
    ScoredAssessment,
    SuicideRisk,
    SuicideRiskRating,
    assess_course,
    ideation_flags,
)

__all__ = [
    "BATCH",
    "TRAJECTORY_WEEKS",
    "courses_of_patient",
    "refresh_all",
    "refresh_course_outcomes",
    "stored_days",
]

BATCH = 2000
CSSRS_INSTRUMENT = "cssrs_screen"
# The C-SSRS screener's bands (``clinical.scales.cssrs_screen`` triage codes) as risk levels.
CSSRS_LEVELS = {level.name.lower(): level for level in SuicideRisk}
WEEK_COPIES = (
    "site_id",
    "route",
    "protocol_id",
    "indication",
    "prescriber_id",
    "sex",
    "age_band",
    "first_dose_on",
    "first_dose_month",
    "primary_instrument",
    "response_group",
)
TRAJECTORY_WEEKS = 12
PENDING = (
    SessionStatus.PLANNED,
    SessionStatus.CHECKED_IN,
    SessionStatus.DOSING,
    SessionStatus.OBSERVING,
)
# The charted kinds the outcomes page counts (issue 7's list); any kind counts as "any".
AE_COLUMNS: dict[str, str] = {
    ChartedKind.HYPERTENSION: "ae_hypertension",
    ChartedKind.NAUSEA: "ae_nausea_vomiting",
    ChartedKind.VOMITING: "ae_nausea_vomiting",
    ChartedKind.DISSOCIATION: "ae_dissociation",
    ChartedKind.SEDATION: "ae_sedation",
    ChartedKind.EMERGENCE_REACTION: "ae_emergence_reaction",
}


def courses_of_patient(patient_id: int) -> list[int]:
    return list(Course.objects.filter(patient_id=patient_id).values_list("id", flat=True))


def refresh_all(as_of: dt.datetime) -> int:
    """Rebuild every course's row, then every cohort cell from the rows (which also builds
    the cells after an upgrade); returns the number of started courses stored. The batches
    leave the cells alone: adding each batch's change to them (six aggregates and an upsert
    per batch, a fifth of the demo's outcome step) is work the rebuild throws away."""
    ids = list(Course.objects.order_by("patient_id", "id").values_list("id", flat=True))
    stored = 0
    for start in range(0, len(ids), BATCH):
        stored += _refresh_batch(ids[start : start + BATCH], as_of, cells=False)
    with transaction.atomic():
        state = lock_cell_state()
        rebuild_cells()
        state.built = True
        state.version = new_version()
        state.save(update_fields=["built", "version"])
    return stored


def refresh_course_outcomes(course_ids: Iterable[int], as_of: dt.datetime) -> int:
    """Replace the rows of ``course_ids`` with outcomes judged as of ``as_of``."""
    ids = list(dict.fromkeys(course_ids))
    stored = 0
    for start in range(0, len(ids), BATCH):
        stored += _refresh_batch(ids[start : start + BATCH], as_of)
    return stored


def _refresh_batch(ids: list[int], as_of: dt.datetime, *, cells: bool = True) -> int:
    """Replace the rows of ``ids``; with ``cells``, add their change to the built cohort
    cells too (``refresh_all`` rebuilds them all afterwards instead)."""
    courses = list(
        Course.objects.filter(id__in=ids)
        .select_related("patient", "site")
        .only(
            "id",
            "patient_id",
            "site_id",
            "route",
            "protocol_id",
            "indication",
            "prescriber_id",
            "status",
            "patient__date_of_birth",
            "patient__sex_at_birth",
            "site__timezone",
        )
    )
    patient_ids = {course.patient_id for course in courses}
    dosed = Q(dose_started_at__isnull=False, dose_started_at__lte=as_of)
    induction = Q(phase=CoursePhase.INDUCTION)
    sessions = {
        row["course_id"]: row
        for row in Session.objects.filter(course_id__in=ids, kind=SessionKind.DOSING)
        .values("course_id")
        .annotate(
            given=Count("id", filter=dosed),
            given_induction=Count("id", filter=induction & dosed),
            attended=Count(
                "id", filter=dosed | Q(checked_in_at__isnull=False, checked_in_at__lte=as_of)
            ),
            planned_induction=Count("id", filter=induction),
            pending_induction=Count("id", filter=induction & Q(status__in=PENDING)),
            pending=Count("id", filter=Q(status__in=PENDING)),
            last_induction=Max("dose_started_at", filter=induction & dosed),
            last_dose=Max("dose_started_at", filter=dosed),
        )
    }
    first_doses = _first_doses(patient_ids, as_of)
    held = dict(
        PreCheck.objects.filter(session__course_id__in=ids, decision=PreCheckDecision.HOLD)
        .values("session__course_id")
        .annotate(n=Count("session_id", distinct=True))
        .values_list("session__course_id", "n")
    )
    events = _adverse_event_counts(ids, as_of)
    # Doses given other than as ordered (strength, amount, rate or time), each accepted with a
    # recorded reason at the chair: outcome data must be able to tell those courses apart.
    deviated = dict(
        Administration.objects.filter(session__course_id__in=ids, started_at__lte=as_of)
        .exclude(deviations=[])
        .values("session__course_id")
        .annotate(n=Count("id"))
        .values_list("session__course_id", "n")
    )
    scores = _scores(patient_ids, as_of)
    ratings = _risk_ratings(patient_ids, as_of)
    home, signals = _misuse_signals(ids, as_of)

    rows: list[CourseOutcome] = []
    explanations: list[OutcomeExplanation] = []
    weeks: list[WeeklyScore] = []
    started: list[int] = []
    for course in courses:
        first_dose = first_doses.get(course.id)
        counts = sessions.get(course.id)
        if first_dose is None or counts is None or counts["given"] == 0:
            continue
        following = [t for t in first_doses.by_patient[course.patient_id] if t > first_dose]
        until = min(following) if following else None
        own = [s for s in scores[course.patient_id] if until is None or s.taken_at < until]
        risk = [r for r in ratings[course.patient_id] if until is None or r.taken_at < until]
        row, week_totals, explained = _judge(
            course, counts, first_dose, own, held, events, as_of, risk
        )
        row.sessions_with_dose_deviation = deviated.get(course.id, 0)
        row.home_program = course.id in home
        for kind in signals.get(course.id, ()):
            setattr(row, f"misuse_{kind}", True)
        rows.append(row)
        explanations.append(OutcomeExplanation(outcome_id=course.id, definitions=explained))
        started.append(course.id)
        copied = {name: getattr(row, name) for name in WEEK_COPIES}
        weeks.extend(
            WeeklyScore(outcome_id=course.id, week=week, total=total, **copied)
            for week, total in week_totals.items()
        )
    with transaction.atomic():
        # The cells change with the rows, in this transaction, one refresh at a time.
        state = lock_cell_state()
        before = cell_figures(ids) if cells and state.built else None
        # Derived rows, no signals or dependants beyond the weeks: delete without collecting.
        for model in (WeeklyScore, OutcomeExplanation):
            model.objects.filter(outcome_id__in=ids)._raw_delete(model.objects.db)
        CourseOutcome.objects.filter(course_id__in=ids)._raw_delete(CourseOutcome.objects.db)
        insert_new(CourseOutcome, rows)
        insert_new(OutcomeExplanation, explanations)
        insert_new(WeeklyScore, weeks)
        if before is not None:
            apply_change(before, cell_figures(ids))
        state.version = new_version()
        state.save(update_fields=["version"])
    return len(rows)


class _FirstDoses(dict):
    by_patient: dict[int, list[dt.datetime]]


def _first_doses(patient_ids: set[int], as_of: dt.datetime) -> _FirstDoses:
    """The first dose of every course of these patients (to split their scores by course)."""
    result = _FirstDoses()
    result.by_patient = defaultdict(list)
    for course_id, patient_id, first in (
        Session.objects.filter(
            patient_id__in=patient_ids,
            kind=SessionKind.DOSING,
            dose_started_at__isnull=False,
            dose_started_at__lte=as_of,
        )
        .values("course_id", "patient_id")
        .annotate(first=Min("dose_started_at"))
        .values_list("course_id", "patient_id", "first")
    ):
        result[course_id] = first
        result.by_patient[patient_id].append(first)
    return result


def _adverse_event_counts(ids: list[int], as_of: dt.datetime) -> dict[int, dict[str, int]]:
    """Per course: sessions with any adverse event, and sessions with each counted kind."""
    sessions_by_column: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for course_id, session_id, kind in (
        AdverseEvent.objects.filter(session__course_id__in=ids, onset_at__lte=as_of)
        .values_list("session__course_id", "session_id", "kind")
        .distinct()
    ):
        sessions_by_column[course_id]["any"].add(session_id)
        column = AE_COLUMNS.get(kind)
        if column:
            sessions_by_column[course_id][column].add(session_id)
    return {
        course_id: {column: len(found) for column, found in columns.items()}
        for course_id, columns in sessions_by_column.items()
    }


def _scores(patient_ids: set[int], as_of: dt.datetime) -> dict[int, list[ScoredAssessment]]:
    known = definitions()
    result: dict[int, list[ScoredAssessment]] = defaultdict(list)
    for patient_id, instrument, total, taken_at, answers in (
        Assessment.objects.current()
        .filter(
            patient_id__in=patient_ids,
            total__isnull=False,
            instrument__in=list(known),
            taken_at__lte=as_of,
        )
        .order_by("taken_at", "id")
        .values_list("patient_id", "instrument", "total", "taken_at", "answers")
    ):
        item9 = answers.get(PARAMETERS.ideation_item) if isinstance(answers, dict) else None
        items = (
            {PARAMETERS.ideation_item: item9}
            if instrument == PARAMETERS.ideation_instrument and isinstance(item9, int)
            else {}
        )
        result[patient_id].append(ScoredAssessment(instrument, total, taken_at, items))
    return result


def _misuse_signals(ids: list[int], as_of: dt.datetime) -> tuple[set[int], dict[int, set[str]]]:
    """Courses with a home prescription, and the misuse signals recorded on each by ``as_of``."""
    home = set(
        HomePrescription.objects.filter(course_id__in=ids).values_list("course_id", flat=True)
    )
    signals: dict[int, set[str]] = defaultdict(set)
    for course_id, kind in (
        SupplyEvent.objects.filter(prescription__course_id__in=ids, recorded_at__lte=as_of)
        .values_list("prescription__course_id", "kind")
        .distinct()
    ):
        signals[course_id].add(kind)
    return home, signals


def _risk_ratings(patient_ids: set[int], as_of: dt.datetime) -> dict[int, list[SuicideRiskRating]]:
    """Current C-SSRS screens as risk levels: the second measure of suicidal thoughts."""
    result: dict[int, list[SuicideRiskRating]] = defaultdict(list)
    for patient_id, band, taken_at in (
        Assessment.objects.current()
        .filter(
            patient_id__in=patient_ids,
            instrument=CSSRS_INSTRUMENT,
            band__in=list(CSSRS_LEVELS),
            taken_at__lte=as_of,
        )
        .order_by("taken_at", "id")
        .values_list("patient_id", "band", "taken_at")
    ):
        result[patient_id].append(SuicideRiskRating(CSSRS_LEVELS[band], taken_at))
    return result


def _judge(
    course: Course,
    counts: dict,
    first_dose: dt.datetime,
    scores: list[ScoredAssessment],
    held: dict[int, int],
    events: dict[int, dict[str, int]],
    as_of: dt.datetime,
    risk: list[SuicideRiskRating] | None = None,
) -> tuple[CourseOutcome, dict[int, int], dict]:
    has_induction = counts["planned_induction"] > 0
    pending = counts["pending_induction"] if has_induction else counts["pending"]
    last = counts["last_induction"] if has_induction else counts["last_dose"]
    ended = course.status in (CourseStatus.COMPLETED, CourseStatus.STOPPED) or pending == 0
    record = CourseRecord(
        first_dose_at=first_dose,
        # Completion is judged on the induction series: maintenance doses given after it
        # do not count towards it (an esketamine course is not "13 of 8 sessions").
        sessions_given=counts["given_induction"] if has_induction else counts["given"],
        induction_end_at=last if ended and last is not None else None,
        planned_sessions=counts["planned_induction"] or None,
        last_dose_at=counts["last_dose"],
    )
    window_start = first_dose - PARAMETERS.baseline_window
    with_baseline = frozenset(
        s.instrument for s in scores if window_start <= s.taken_at < first_dose
    )
    instrument = primary_instrument(course.indication, with_baseline)
    judged = assess_course(
        record,
        scores,
        definitions(),
        instrument,
        as_of=as_of,
        parameters=PARAMETERS,
        suicide_risk=risk or (),
    )
    tz = ZoneInfo(course.site.timezone)
    first_day = first_dose.astimezone(tz).date()
    born = course.patient.date_of_birth
    age = first_day.year - born.year - ((first_day.month, first_day.day) < (born.month, born.day))
    course_events = events.get(course.id, {})
    primary = [s for s in scores if s.instrument == instrument]
    latest = primary[-1] if primary and primary[-1].taken_at > first_dose else None
    row = CourseOutcome(
        course_id=course.id,
        patient_id=course.patient_id,
        site_id=course.site_id,
        route=course.route,
        protocol_id=course.protocol_id,
        indication=course.indication,
        prescriber_id=course.prescriber_id,
        sex=course.patient.sex_at_birth,
        age_band=age_band(age),
        first_dose_at=first_dose,
        first_dose_on=first_day,
        first_dose_month=first_day.replace(day=1),
        induction_end_at=record.induction_end_at,
        as_of=as_of,
        state=judged.state.value,
        primary_instrument=instrument,
        baseline_total=judged.baseline.total if judged.baseline else None,
        baseline_at=judged.baseline.taken_at if judged.baseline else None,
        end_total=judged.end_of_induction.total if judged.end_of_induction else None,
        end_at=judged.end_of_induction.taken_at if judged.end_of_induction else None,
        latest_total=latest.total if latest else None,
        latest_at=latest.taken_at if latest else None,
        completed=judged.completed,
        has_followup=judged.end_of_induction is not None,
        response_evaluable=judged.response.evaluable,
        rapid_evaluable=judged.rapid_response.evaluable,
        responded=judged.response.met,
        remitted=judged.remission.met,
        rapid_response=judged.rapid_response.met,
        worsened=judged.worsening.met,
        sustained_response=judged.sustained_response.met,
        days_to_response=(
            stored_days(judged.time_to_response / dt.timedelta(days=1))
            if judged.time_to_response
            else None
        ),
        relapse_eligible=judged.relapse.eligible,
        relapse_at_risk=judged.relapse.at_risk,
        relapsed=judged.relapse.relapsed,
        relapse_days=stored_days(judged.relapse.days),
        ideation_change=judged.suicidal_ideation.direction.value,
        **ideation_flags(judged),
        response_group=_group(judged),
        sessions_given=judged.sessions_given,
        sessions_required=judged.sessions_required,
        sessions_attended=max(counts["attended"], held.get(course.id, 0)),
        sessions_held=held.get(course.id, 0),
        sessions_with_adverse_event=course_events.get("any", 0),
        ae_hypertension=course_events.get("ae_hypertension", 0),
        ae_nausea_vomiting=course_events.get("ae_nausea_vomiting", 0),
        ae_dissociation=course_events.get("ae_dissociation", 0),
        ae_sedation=course_events.get("ae_sedation", 0),
        ae_emergence_reaction=course_events.get("ae_emergence_reaction", 0),
        refreshed_at=as_of,
    )
    return row, _weeks(judged, primary, first_dose), _definitions(judged)


DAY_DECIMALS = 6


def stored_days(days: float | None) -> float | None:
    """Durations in days, rounded once (to 6 decimals, under a tenth of a second) before
    they are stored, so the page, the API and the CSV all carry the very same number."""
    return None if days is None else round(days, DAY_DECIMALS)


def _group(judged: Judged) -> str:
    if judged.end_of_induction is None:
        return ResponseGroup.NO_FOLLOW_UP
    return ResponseGroup.RESPONDER if judged.response.met else ResponseGroup.NON_RESPONDER


def _weeks(judged: Judged, primary: list[ScoredAssessment], first_dose: dt.datetime) -> dict:
    """Week 0 is the baseline; week k the last score in (7(k−1), 7k] days after the dose."""
    weeks: dict[int, int] = {}
    if judged.baseline is not None:
        weeks[0] = judged.baseline.total
    for score in primary:
        days = (score.taken_at - first_dose).total_seconds() / 86400
        if days <= 0:
            continue
        week = math.ceil(days / 7)
        if week <= TRAJECTORY_WEEKS:
            weeks[week] = score.total
    return weeks


def _flag_json(flag: OutcomeFlag) -> dict:
    return {
        "met": flag.met,
        "evaluable": flag.evaluable,
        "instrument": flag.instrument,
        "rule": flag.rule,
        "threshold": None if flag.threshold is None else str(flag.threshold),
        "time_point": flag.time_point.isoformat() if flag.time_point else None,
        "total": flag.total,
        "baseline_total": flag.baseline_total,
        "source": flag.source,
    }


def _definitions(judged: Judged) -> dict:
    return {
        "response": _flag_json(judged.response),
        "remission": _flag_json(judged.remission),
        "rapid_response": _flag_json(judged.rapid_response),
        "worsening": _flag_json(judged.worsening),
        "sustained_response": _flag_json(judged.sustained_response),
        "relapse": {"rule": judged.relapse.rule, "source": judged.relapse.source},
        "completion": {
            "sessions_required": judged.sessions_required,
            "source": judged.completion_source,
        },
    }
