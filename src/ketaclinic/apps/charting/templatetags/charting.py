"""``{% recent_sessions patient %}``: the patient chart's short list of sessions with links."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.inclusion_tag("charting/_recent_sessions.html", takes_context=True)
def recent_sessions(context, patient, limit: int = 6) -> dict:
    """Shown to those who may read session charts; one query for the list."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("charting.view_session_chart"):
        return {"visible": False}
    sessions = list(
        patient.sessions.select_related("course").order_by("-planned_start", "-id")[:limit]
    )
    return {
        "visible": True,
        "patient": patient,
        "sessions": sessions,
        "site_tz": patient.site.timezone,
        "can_read_integration": user.has_perm("charting.read_integration_note")
        or user.has_perm("charting.write_integration_note"),
    }


@register.filter
def qty(value) -> str:
    """A Decimal quantity without trailing zeros and never in exponent form: 40, 3.5, 52.5."""
    if value is None or value == "":
        return ""
    return format(Decimal(value).normalize(), "f")
