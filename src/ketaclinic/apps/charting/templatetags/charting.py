"""``{% recent_sessions patient %}``: the patient chart's short list of sessions with links."""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime

from ketaclinic.apps.treatment.models import Session
from ketaclinic.apps.web.prepared_query import PreparedQuery

register = template.Library()

RECENT_LIMIT = 6
# The list by patient id, compiled once per database (``PreparedQuery``).
RECENT_SESSIONS = PreparedQuery(
    lambda patient_id: (
        Session.objects.filter(patient_id=patient_id)
        .select_related("course")
        .order_by("-planned_start", "-id")[:RECENT_LIMIT]
    )
)


def session_items(sessions: list[Session], site_tz: str) -> SafeString:
    """The list's items, built once here rather than by the template engine cell by cell:
    each session's start in the site's time zone, its number, route and status."""
    zone = ZoneInfo(site_tz)
    items = []
    for session in sessions:
        href = escape(reverse("charting:chart", args=[session.pk]))
        start = f"{localtime(session.planned_start, zone):%Y-%m-%d %H:%M}"
        items.append(
            f'<li><a href="{href}">{start} · session {session.number}</a> · '
            f"{escape(session.course.get_route_display())} · "
            f"{escape(session.get_status_display())}</li>"
        )
    return mark_safe("".join(items))  # noqa: S308 - numbers, dates and escaped text  # nosec B308 B703


@register.inclusion_tag("charting/_recent_sessions.html", takes_context=True)
def recent_sessions(context, patient) -> dict:
    """Shown to those who may read session charts; one query for the list."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("charting.view_session_chart"):
        return {"visible": False}
    sessions = RECENT_SESSIONS.instances(patient.pk)
    return {
        "visible": True,
        "patient": patient,
        "sessions": session_items(sessions, patient.site.timezone),
        "can_read_integration": user.has_perm("charting.read_integration_note")
        or user.has_perm("charting.write_integration_note"),
    }


@register.filter
def qty(value) -> str:
    """A Decimal quantity without trailing zeros and never in exponent form: 40, 3.5, 52.5."""
    if value is None or value == "":
        return ""
    return format(Decimal(value).normalize(), "f")
