"""Enquiries over the API: the triage queue as JSON for staff, filtered, audited as a view."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema

from ketaclinic.apps.accounts.scoping import restrict
from ketaclinic.apps.api.edge import Page, Paging, page_body, requires, responses
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.enquiries.choices import OPEN_STATUSES, EnquiryStatus, Program
from ketaclinic.apps.enquiries.models import Enquiry
from ketaclinic.apps.web import clock
from ketaclinic.apps.web.pagination import paginate
from ketaclinic.apps.web.record_ids import RecordId
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


@router.get(
    "",
    response=responses(Page[EnquiryOut]),
    summary="Waitlist enquiries at your sites, oldest first",
)
@requires("enquiries.view_enquiry")
def list_enquiries(
    request: HttpRequest,
    paging: Query[Paging],
    status: str = "open",
    program: str = "",
    site: RecordId | None = None,
) -> dict:
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
    result = paginate(enquiries.order_by("submitted_at", "id"), paging.page, paging.page_size)
    record_event(
        request,
        Action.EXPORT,
        object_type="enquiry",
        detail={"list": [e.pk for e in result.items], "via": "api"},
    )
    now = clock.now()
    return page_body(result, lambda e: _out(e, now))
