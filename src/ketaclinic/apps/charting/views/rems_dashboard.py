"""The site's REMS forms at a glance: overdue, failed, due, sent (nurses, prescribers, the
medical director). One query for the rows; pinned in the tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ketaclinic.apps.accounts.scoping import restrict
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.charting.choices import RemsStatus
from ketaclinic.apps.charting.rems import SUBMISSION_DAYS
from ketaclinic.apps.charting.views.base import require_any_permission
from ketaclinic.apps.treatment.choices import Route, SessionStatus
from ketaclinic.apps.treatment.models import Session
from ketaclinic.apps.web import clock

PERMISSION = "charting.view_rems_dashboard"
SENT_SHOWN_DAYS = 30
GROUPS = (
    ("overdue", "Overdue (past 7 days, not sent)"),
    ("failed", "Failed to send"),
    ("due", "Due (queued or not complete)"),
    ("sent", f"Sent (last {SENT_SHOWN_DAYS} days)"),
)


@dataclass(frozen=True)
class Row:
    session: object
    record: object
    due_at: dt.datetime
    group: str


def _group(record, due_at: dt.datetime, now: dt.datetime) -> str:
    status = record.status if record else None
    if status in (RemsStatus.SENT, RemsStatus.MARKED):
        return "sent"
    if due_at <= now:
        return "overdue"
    if status == RemsStatus.FAILED:
        return "failed"
    return "due"


def dashboard_rows(user, now: dt.datetime) -> list[Row]:
    shown_from = now - dt.timedelta(days=SENT_SHOWN_DAYS)
    sessions = (
        restrict(Session, user, PERMISSION)
        .filter(course__route=Route.ESKETAMINE, status=SessionStatus.DISCHARGED)
        .filter(
            Q(discharged_at__gte=shown_from)
            | Q(rems_record__isnull=True)
            | ~Q(rems_record__status__in=(RemsStatus.SENT, RemsStatus.MARKED))
        )
        .select_related("patient", "patient__site", "rems_record")
        .order_by("discharged_at", "id")
    )
    rows = []
    for session in sessions:
        record = getattr(session, "rems_record", None)
        due_at = session.discharged_at + dt.timedelta(days=SUBMISSION_DAYS)
        rows.append(Row(session, record, due_at, _group(record, due_at, now)))
    return rows


@require_any_permission(PERMISSION)
@require_GET
def rems_dashboard(request: HttpRequest) -> HttpResponse:
    now = clock.now()
    rows = dashboard_rows(request.user, now)
    groups = [(code, title, [row for row in rows if row.group == code]) for code, title in GROUPS]
    record_event(
        request,
        Action.VIEW,
        object_type="rems_dashboard",
        object_id="",
        detail={"sessions": [row.session.pk for row in rows]},
    )
    return render(
        request,
        "charting/rems_dashboard.html",
        {"groups": groups, "counts": {code: len(items) for code, _, items in groups}},
    )
