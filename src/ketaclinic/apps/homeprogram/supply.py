"""Misuse signals around the home supply: recorded once, audited, counted by the outcomes.

The kinds are ``clinical.outcomes.MisuseSignal``'s (``SupplyEventKind`` stores them). A
pill count that finds fewer troches than expected records its own shortfall
(``record_pill_count``); staff record the others from what the patient asked or did.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction

from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.homeprogram.choices import SupplyEventKind
from ketaclinic.apps.homeprogram.models import HomePrescription, PillCount, SupplyEvent
from ketaclinic.apps.web import clock
from ketaclinic.clinical.exceptions import OutOfRange

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = ["record_supply_event"]


def record_supply_event(
    *,
    prescription: HomePrescription,
    kind: str,
    occurred_on: dt.date,
    note: str,
    recorded_by: Any,
    request: HttpRequest | None = None,
    pill_count: PillCount | None = None,
) -> SupplyEvent:
    """Store one signal; a date before the prescription or in the future is refused, except
    for a shortfall recorded from a ``pill_count``, which takes the count's own date."""
    today = clock.today(prescription.patient.site.timezone)
    if pill_count is None and occurred_on > today:
        raise OutOfRange("occurred_on", "is in the future")
    if pill_count is None and occurred_on < prescription.written_on:
        raise OutOfRange(
            "occurred_on", f"is before the prescription was written ({prescription.written_on})"
        )
    with transaction.atomic():
        event = SupplyEvent.objects.create(
            prescription=prescription,
            kind=SupplyEventKind(kind),
            occurred_on=occurred_on,
            pill_count=pill_count,
            note=note,
            recorded_by=recorded_by,
            recorded_at=clock.now(),
        )
        record_event(
            request,
            Action.CREATE,
            object_type="supply_event",
            object_id=event.pk,
            patient=prescription.patient,
            detail={"kind": event.kind, "occurred_on": occurred_on.isoformat()},
        )
    return event
