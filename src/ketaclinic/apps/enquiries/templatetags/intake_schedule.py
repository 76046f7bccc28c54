"""``{% load intake_schedule %}{% intake_appointments site day %}``: the intake appointments
booked from the waitlist, shown on the schedule for that site and day.

Staff who may open the waitlist see who is coming (the view of those names is audited);
others see only how many intake appointments there are, so a nurse knows the room is busy.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import template

from ketaclinic.apps.accounts.scoping import restrict
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.enquiries.choices import EnquiryStatus

register = template.Library()


def intakes_on(queryset: Any, site: Any, day: dt.date) -> Any:
    zone = ZoneInfo(site.timezone)
    start = dt.datetime.combine(day, dt.time.min, zone)
    return queryset.filter(
        site=site,
        status=EnquiryStatus.SCHEDULED,
        intake_at__gte=start,
        intake_at__lt=start + dt.timedelta(days=1),
    ).order_by("intake_at", "id")


@register.inclusion_tag("enquiries/_intake_appointments.html", takes_context=True)
def intake_appointments(context: dict, site: Any, day: dt.date) -> dict:
    from ketaclinic.apps.enquiries.models import Enquiry

    request = context.get("request")
    user = getattr(request, "user", None)
    if site is None or user is None or not user.is_authenticated:
        return {"intakes": [], "count": 0, "site": site}
    visible = restrict(Enquiry, user, "enquiries.view_enquiry")
    if user.has_perm("enquiries.view_enquiry"):
        intakes = list(intakes_on(visible, site, day))
        if intakes:
            record_event(
                request,
                Action.VIEW,
                object_type="enquiry",
                site=site,
                detail={"intake_schedule": [e.pk for e in intakes]},
            )
        return {"intakes": intakes, "count": len(intakes), "site": site, "named": True}
    count = intakes_on(Enquiry.objects.all(), site, day).count()
    return {"intakes": [], "count": count, "site": site, "named": False}
