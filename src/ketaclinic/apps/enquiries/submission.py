"""Taking in a public enquiry: store it, record its first event, alert on a crisis.

Nothing here logs what the person typed; the audit trail records that an enquiry was created
(its id and site), never its contents.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.urls import reverse

from ketaclinic.apps.alerts.choices import AlertKind, AlertLevel
from ketaclinic.apps.alerts.raising import raise_alert
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.enquiries.choices import EnquiryStatus, EventKind
from ketaclinic.apps.enquiries.models import Enquiry, EnquiryEvent, SubmissionTally

if TYPE_CHECKING:
    from django.http import HttpRequest

    from ketaclinic.apps.accounts.models import Site
    from ketaclinic.apps.alerts.models import Alert
    from ketaclinic.apps.enquiries.public_forms import EnquiryForm

__all__ = ["accept_enquiry", "count_turned_away", "raise_crisis_alert"]


def accept_enquiry(
    form: EnquiryForm, *, site: Site, now: dt.datetime, request: HttpRequest | None
) -> Enquiry:
    """Store a valid adult's enquiry as new, in one transaction with its event and audit."""
    with transaction.atomic():
        enquiry = form.save(commit=False)
        enquiry.site = site
        enquiry.status = EnquiryStatus.NEW
        enquiry.submitted_at = now
        enquiry.status_changed_at = now
        enquiry.save()
        EnquiryEvent.objects.create(
            enquiry=enquiry,
            kind=EventKind.SUBMITTED,
            from_status="",
            to_status=EnquiryStatus.NEW,
            occurred_at=now,
        )
        record_event(request, Action.CREATE, object_type="enquiry", object_id=enquiry.pk, site=site)
        if enquiry.suicidal_thoughts:
            raise_crisis_alert(enquiry, request=request)
    return enquiry


def raise_crisis_alert(enquiry: Enquiry, *, request: HttpRequest | None = None) -> Alert:
    """An urgent alert for the site's clinicians: call this person today."""
    return raise_alert(
        site=enquiry.site_id,
        kind=AlertKind.ENQUIRY_CRISIS,
        level=AlertLevel.URGENT,
        title=f"Waitlist enquiry {enquiry.pk} reports current suicidal thoughts",
        message=(
            f"{enquiry.given_name} {enquiry.family_name[:1]}. asked about "
            f"{enquiry.get_program_display().lower()} and reports current suicidal thoughts. "
            f"They were shown crisis resources. Contact them today "
            f"({enquiry.get_preferred_contact_display().lower()}, "
            f"{enquiry.get_preferred_time_display().lower()}): "
            f"{reverse('enquiries:detail', args=[enquiry.pk])}"
        ),
        patient=None,
        source_type="enquiry",
        source_id=enquiry.pk,
        request=request,
    )


def count_turned_away(site: Site, kind: str, day: dt.date) -> None:
    """Add one to the site's tally for the day; the submission itself is not kept."""
    with transaction.atomic():
        SubmissionTally.objects.get_or_create(site=site, day=day, kind=kind)
        SubmissionTally.objects.filter(site=site, day=day, kind=kind).update(count=F("count") + 1)
