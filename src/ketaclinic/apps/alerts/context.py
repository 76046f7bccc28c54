"""The open-alert badge in the menu, on every page (a template context processor)."""

from __future__ import annotations

from django.http import HttpRequest

from ketaclinic.apps.accounts.choices import MfaState
from ketaclinic.apps.accounts.mfa import SESSION_KEY as MFA_SESSION_KEY
from ketaclinic.apps.alerts.raising import alerts_for

BADGE_CAP = 99


def open_alert_badge(request: HttpRequest) -> dict[str, int]:
    """Open alerts for the badge: one indexed query, capped at 99; nothing before the code."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_perm("alerts.view_alert"):
        return {"open_alert_count": 0}
    if request.session.get(MFA_SESSION_KEY) in (MfaState.ENROL, MfaState.VERIFY):
        return {"open_alert_count": 0}
    open_alerts = alerts_for(user).filter(acknowledged_at__isnull=True).values_list("id")
    return {"open_alert_count": len(open_alerts[:BADGE_CAP])}
