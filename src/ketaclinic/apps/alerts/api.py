"""Alerts over the API: list what the user should see; acknowledge with a note."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from ketaclinic.apps.alerts.models import Alert
from ketaclinic.apps.alerts.raising import AlertAlreadyAcknowledged, acknowledge_alert, alerts_for
from ketaclinic.apps.api.edge import Page, Paging, page_body, requires, responses
from ketaclinic.apps.audit.listing import record_listing
from ketaclinic.apps.web.pagination import paginate
from ketaclinic.clinical.exceptions import InvalidValue

router = Router(tags=["alerts"])


class AlertOut(Schema):
    id: int
    site_id: int
    patient_id: int | None
    kind: str
    level: str
    title: str
    message: str
    raised_at: dt.datetime
    assigned_to_id: int | None
    acknowledged_by_id: int | None
    acknowledged_at: dt.datetime | None
    acknowledgement_note: str


class AcknowledgeIn(Schema):
    model_config = {"extra": "forbid"}
    note: str = Field(min_length=1, max_length=2000)


@router.get("", response=responses(Page[AlertOut]), summary="Alerts for you (open first)")
@requires("alerts.view_alert")
def list_alerts(request: HttpRequest, paging: Query[Paging], state: str = "open") -> dict:
    alerts = alerts_for(request.user)
    if state == "open":
        alerts = alerts.filter(acknowledged_at__isnull=True)
    elif state == "acknowledged":
        alerts = alerts.filter(acknowledged_at__isnull=False)
    elif state != "all":
        raise InvalidValue("state", "expected open, acknowledged or all")
    result = paginate(alerts, paging.page, paging.page_size)
    record_listing(
        request,
        "alert",
        [alert.patient_id for alert in result.items],
        page=result.number,
        filters={"state": state},
    )
    return page_body(result)


@router.post(
    "/{alert_id}/acknowledge",
    response=responses(AlertOut, 409),
    summary="Acknowledge with a note (prescribers and the medical director)",
)
@requires("alerts.acknowledge_alert")
def acknowledge(request: HttpRequest, alert_id: int, payload: AcknowledgeIn) -> Alert:
    try:
        alert = alerts_for(request.user).get(pk=alert_id)
    except Alert.DoesNotExist:
        raise HttpError(404, "No such alert") from None
    if not payload.note.strip():
        raise InvalidValue("note", "say what was done")
    try:
        return acknowledge_alert(alert, user=request.user, note=payload.note, request=request)
    except AlertAlreadyAcknowledged:
        raise HttpError(409, "This alert was acknowledged already.") from None
