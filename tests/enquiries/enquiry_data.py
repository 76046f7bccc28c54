"""Enquiries made directly in the database, for the triage tests."""

from __future__ import annotations

import datetime as dt

from ketaclinic.apps.enquiries.choices import EnquiryStatus, EventKind
from ketaclinic.apps.enquiries.models import Enquiry, EnquiryEvent

NOW = dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)


def make_enquiry(site, *, days_ago: float = 3, **fields) -> Enquiry:
    submitted = NOW - dt.timedelta(days=days_ago)
    values = {
        "program": "in_clinic_iv_im",
        "given_name": "Dana",
        "family_name": "Ortiz",
        "date_of_birth": dt.date(1988, 7, 14),
        "sex_at_birth": "female",
        "email": "dana.ortiz@example.com",
        "phone": "+1 555 321 0987",
        "preferred_contact": "email",
        "preferred_time": "any",
        "condition": "ptsd",
        "consent_to_contact": True,
        "submitted_at": submitted,
        "status_changed_at": submitted,
        **fields,
    }
    enquiry = Enquiry.objects.create(site=site, **values)
    EnquiryEvent.objects.create(
        enquiry=enquiry,
        kind=EventKind.SUBMITTED,
        to_status=EnquiryStatus.NEW,
        occurred_at=submitted,
    )
    return enquiry
