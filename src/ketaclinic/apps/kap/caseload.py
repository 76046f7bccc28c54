"""The caseload's query: programs with the notes still owed and the next session."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, IntegerField, Min, OuterRef, QuerySet, Subquery

from ketaclinic.apps.kap.models import KapProgram
from ketaclinic.apps.kap.notes import THERAPY_KINDS
from ketaclinic.apps.treatment.choices import SessionStatus
from ketaclinic.apps.treatment.models import Session


def annotate_caseload(programs: QuerySet[KapProgram], now: dt.datetime) -> QuerySet[KapProgram]:
    """Notes still owed (held, past therapy sessions without a note) and the next session,
    as subqueries: one query for the page whatever its length."""
    course_sessions = Session.objects.filter(course_id=OuterRef("course_id"))
    due = (
        course_sessions.filter(
            kind__in=THERAPY_KINDS, planned_start__lte=now, kap_note__isnull=True
        )
        .exclude(status__in=(SessionStatus.CANCELLED, SessionStatus.NO_SHOW))
        .order_by()
        .values("course_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    upcoming = (
        course_sessions.filter(planned_start__gt=now, status=SessionStatus.PLANNED)
        .order_by()
        .values("course_id")
        .annotate(first=Min("planned_start"))
        .values("first")
    )
    return programs.annotate(
        notes_due=Subquery(due, output_field=IntegerField()),
        next_session_at=Subquery(upcoming),
    )
