"""Raising and acknowledging alerts: the two ways an alert's life changes, both audited."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import QuerySet

from ketaclinic.apps.accounts.scoping import restrict
from ketaclinic.apps.alerts.choices import AlertLevel
from ketaclinic.apps.alerts.models import Alert
from ketaclinic.apps.alerts.paging import page_after_commit
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.web import clock

if TYPE_CHECKING:
    from django.http import HttpRequest


class AlertAlreadyAcknowledged(Exception):
    """An alert is acknowledged once; a second acknowledgement would overwrite the first."""


def raise_alert(
    *,
    site: Any,
    kind: str,
    level: str,
    title: str,
    message: str = "",
    patient: Any = None,
    source_type: str = "",
    source_id: object = "",
    assigned_to: Any = None,
    request: HttpRequest | None = None,
) -> Alert:
    """Create an open alert in the caller's transaction (it commits with what raised it).

    An urgent alert is paged to whoever is on call once that transaction commits."""
    with transaction.atomic():
        alert = Alert.objects.create(
            site_id=getattr(site, "pk", site),
            patient=patient,
            kind=kind,
            level=level,
            title=title[:200],
            message=message,
            source_type=source_type,
            source_id=str(source_id)[:64],
            assigned_to=assigned_to,
            raised_at=clock.now(),
        )
        record_event(
            request,
            Action.CREATE,
            object_type="alert",
            object_id=alert.pk,
            patient=patient,
            site=alert.site_id,
            detail={"kind": kind, "level": level},
        )
        if level == AlertLevel.URGENT:
            page_after_commit(alert)
    return alert


def acknowledge_alert(alert: Alert, *, user: Any, note: str, request: HttpRequest | None) -> Alert:
    """Close an alert with the clinician's note; refuses an empty note or a second close."""
    note = note.strip()
    if not note:
        raise ValueError("note: say what was done")
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        if locked.acknowledged_at is not None:
            raise AlertAlreadyAcknowledged(f"alert {alert.pk} was acknowledged already")
        locked.acknowledged_by = user
        locked.acknowledged_at = clock.now()
        locked.acknowledgement_note = note
        locked.escalate_at = None
        locked.save(
            update_fields=[
                "acknowledged_by",
                "acknowledged_at",
                "acknowledgement_note",
                "escalate_at",
            ]
        )
        record_event(
            request,
            Action.ACKNOWLEDGE,
            object_type="alert",
            object_id=locked.pk,
            patient=locked.patient,
            site=locked.site_id,
        )
    return locked


def most_urgent_first(alerts: QuerySet[Alert]) -> QuerySet[Alert]:
    """Urgent before warning, then newest first ("urgent" sorts before "warning")."""
    return alerts.order_by("level", "-raised_at", "-id")


def alerts_for(user: Any) -> QuerySet[Alert]:
    """The alerts a user should see: their sites only; directors see all of them, others
    those assigned to them plus unassigned ones (when they may acknowledge)."""
    if not user.is_authenticated or not user.has_perm("alerts.view_alert"):
        return Alert.objects.none()
    every = restrict(Alert, user, "alerts.view_alert", "alerts.view_all_site_alerts")
    own = restrict(Alert, user, "alerts.view_alert").filter(assigned_to=user)
    unassigned = restrict(Alert, user, "alerts.view_alert", "alerts.acknowledge_alert").filter(
        assigned_to__isnull=True
    )
    return every | own | unassigned
