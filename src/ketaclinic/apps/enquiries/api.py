"""Enquiries over the API: the triage queue as JSON for staff, filtered, audited as a view."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from ketaclinic.apps.accounts.scoping import restrict
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.enquiries.choices import OPEN_STATUSES, EnquiryStatus, Program
from ketaclinic.apps.enquiries.models import Enquiry
from ketaclinic.apps.web import clock
from ketaclinic.apps.web.pagination import PageNumber, paginate
from ketaclinic.clinical.exceptions import InputError

router = Router(tags=["enquiries"])


class EnquiryOut(Schema):
    id: int
    site_id: int
    program: str
    status: str
    given_name: str
    family_name: str
    date_of_birth: dt.date
    email: str
    phone: str
    preferred_contact: str
    preferred_time: str
    condition: str
    flags: list[str]
    submitted_at: dt.datetime
    waiting_days: int
    contact_attempts: int
    intake_at: dt.datetime | None
    patient_id: int | None


class EnquiryPage(Schema):
    items: list[EnquiryOut]
    page: int
    has_next: bool


def _out(enquiry, now: dt.datetime) -> dict:
    return {
        **{
            name: getattr(enquiry, name)
            for name in EnquiryOut.model_fields
            if hasattr(enquiry, name)
        },
        "flags": [code for code, _label in enquiry.flags],
        "waiting_days": enquiry.waiting_days(now),
    }


@router.get("", response=EnquiryPage, summary="Waitlist enquiries at your sites, oldest first")
def list_enquiries(
    request: HttpRequest,
    status: str = "open",
    program: str = "",
    site: int | None = None,
    page: PageNumber = 1,
) -> dict:
    if not request.user.has_perm("enquiries.view_enquiry"):
        raise HttpError(403, "Your role does not allow this.")
    enquiries = restrict(Enquiry, request.user, "enquiries.view_enquiry")
    if status == "open":
        enquiries = enquiries.filter(status__in=OPEN_STATUSES)
    elif status in EnquiryStatus.values:
        enquiries = enquiries.filter(status=status)
    elif status != "all":
        expected = ", ".join(EnquiryStatus.values)
        raise InputError("status", f"expected open, all or one of {expected}")
    if program:
        if program not in Program.values:
            raise InputError("program", f"expected one of {', '.join(Program.values)}")
        enquiries = enquiries.filter(program=program)
    if site is not None:
        enquiries = enquiries.filter(site_id=site)
    result = paginate(enquiries.order_by("submitted_at", "id"), page)
    record_event(
        request,
        Action.EXPORT,
        object_type="enquiry",
        detail={"list": [e.pk for e in result.items], "via": "api"},
    )
    now = clock.now()
    return {
        "items": [_out(e, now) for e in result.items],
        "page": result.number,
        "has_next": result.has_next,
    }
