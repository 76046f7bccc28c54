"""What a program page (and the API's program detail) shows: the sessions in order with
their notes, and the course's scores beside them, in a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ketaclinic.apps.assessments.charts import ChartPoint, response_threshold, trajectory_svg
from ketaclinic.apps.assessments.models import Assessment
from ketaclinic.apps.kap.assignment import can_read_notes, can_write_notes
from ketaclinic.apps.kap.models import KapNote, KapProgram
from ketaclinic.apps.kap.notes import SHAPES, SHARED_PARTS, session_problems
from ketaclinic.apps.outcomes.models import CourseOutcome
from ketaclinic.apps.treatment.choices import SessionKind, SessionStatus
from ketaclinic.apps.treatment.models import Session
from ketaclinic.clinical.scales import get_scale, list_scales

# Scores from two weeks before the program (the baseline) to four weeks after it.
SCORES_BEFORE = dt.timedelta(days=14)
SCORES_AFTER = dt.timedelta(days=28)
SCORE_LIMIT = 300


PART_LABELS = {
    "intentions": "Intentions",
    "set_and_setting": "Set and setting",
    "concerns": "Concerns",
    "touch_consent": "Supportive touch",
    "music_consent": "Music",
    "experience": "Experience",
    "integration_themes": "Integration themes",
    "practices": "Practices",
    "plan": "Plan",
}


def note_parts(note: KapNote) -> list[tuple[str, str, str]]:
    """(name, label, text) of each filled part, in the order its kind of note asks them."""
    shared = note.integration_note
    parts = []
    for name in SHAPES[note.kind].parts:
        if name in ("touch_consent", "music_consent"):
            value = getattr(note, f"get_{name}_display")()
        elif name in SHARED_PARTS:
            value = getattr(shared, name)
        else:
            value = getattr(note, name)
        if value:
            parts.append((name, PART_LABELS[name], value))
    return parts


@dataclass
class TimelineRow:
    session: Session
    note: KapNote | None
    can_write: bool
    problems: list[str]
    parts: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def is_therapy(self) -> bool:
        return self.session.kind in (
            SessionKind.PREPARATION,
            SessionKind.DOSING,
            SessionKind.INTEGRATION,
        )

    @property
    def note_due(self) -> bool:
        """Held, past and without a note: what the therapist still owes."""
        return self.note is None and self.is_therapy and not self.problems


@dataclass
class ScoreSeries:
    instrument: Any
    points: list[ChartPoint]
    svg: str
    baseline: int
    threshold: Any

    @property
    def latest(self) -> ChartPoint:
        return self.points[-1]

    @property
    def change(self) -> int:
        return self.latest.total - self.baseline


@dataclass
class ProgramTimeline:
    program: KapProgram
    rows: list[TimelineRow]
    can_read_notes: bool
    can_write_notes: bool
    series: list[ScoreSeries] = field(default_factory=list)
    outcome: CourseOutcome | None = None
    outcome_title: str = ""
    can_see_scores: bool = False

    @property
    def notes_due(self) -> int:
        return sum(1 for row in self.rows if row.note_due)

    @property
    def notes_written(self) -> int:
        return sum(1 for row in self.rows if row.note is not None)


def build_timeline(program: KapProgram, user, now: dt.datetime) -> ProgramTimeline:
    """Sessions with notes (one query), scores (one) and the course's outcome row (one)."""
    sessions = list(
        Session.objects.filter(course_id=program.course_id)
        .select_related("kap_note__integration_note__author")
        .order_by("planned_start", "number")
    )
    writer = can_write_notes(user, program)
    rows = []
    for session in sessions:
        note = session.kap_note if _has_note(session) else None
        problems = [] if note else session_problems(program, session, now)
        rows.append(TimelineRow(session, note, writer and note is None and not problems, problems))
    readable = can_read_notes(user, program)
    if readable:
        for row in rows:
            row.parts = note_parts(row.note) if row.note else []
    timeline = ProgramTimeline(program, rows, readable, writer)
    if user.has_perm("assessments.view_assessment"):
        timeline.can_see_scores = True
        timeline.series = _score_series(program, sessions, now)
    if user.has_perm("outcomes.view_courseoutcome"):
        timeline.outcome = CourseOutcome.objects.filter(course_id=program.course_id).first()
        if timeline.outcome is not None:
            timeline.outcome_title = get_scale(timeline.outcome.primary_instrument).title
    return timeline


def _has_note(session: Session) -> bool:
    try:
        return session.kap_note is not None
    except KapNote.DoesNotExist:
        return False


def _score_series(program: KapProgram, sessions: list[Session], now: dt.datetime) -> list:
    start = dt.datetime.combine(program.starts_on, dt.time.min, tzinfo=dt.UTC) - SCORES_BEFORE
    end = (
        dt.datetime.combine(program.ended_on, dt.time.max, tzinfo=dt.UTC) + SCORES_AFTER
        if program.ended_on
        else now
    )
    rows = (
        Assessment.objects.current()
        .filter(
            patient_id=program.patient_id,
            total__isnull=False,
            taken_at__gte=start,
            taken_at__lte=end,
        )
        .order_by("taken_at", "id")
        .values_list("instrument", "taken_at", "total", "band_label")[:SCORE_LIMIT]
    )
    by_instrument: dict[str, list[ChartPoint]] = defaultdict(list)
    for instrument_id, taken_at, total, band_label in rows:
        by_instrument[instrument_id].append(ChartPoint(taken_at, total, band_label))
    dosing_times = [
        s.discharged_at or s.planned_start
        for s in sessions
        if s.kind == SessionKind.DOSING and s.status == SessionStatus.DISCHARGED
    ]
    series = []
    for instrument in list_scales():
        points = by_instrument.get(instrument.id)
        if not points:
            continue
        window = [t for t in dosing_times if points[0].taken_at <= t <= points[-1].taken_at]
        series.append(
            ScoreSeries(
                instrument,
                points,
                trajectory_svg(
                    instrument, points, window, chart_id=f"kap-{program.pk}-{instrument.id}"
                ),
                points[0].total,
                response_threshold(instrument, points[0].total),
            )
        )
    return series
