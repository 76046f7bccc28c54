"""The patient's home check-in at ``/home/<token>/``: no login, phone-first, no JavaScript.

The page shows only the clinic's name and the planned date: never the patient's name or
anything of another patient. Rate-limited per address and per token (the self-report
limits). Crisis resources sit beside the suicidal-thoughts question and, when it is
answered yes, at the top of the next page, which the care team is alerted about at once.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.homeprogram.forms import CheckInForm
from ketaclinic.apps.homeprogram.links import open_check_in_link
from ketaclinic.apps.homeprogram.program import record_check_in
from ketaclinic.apps.web import clock
from ketaclinic.apps.web.private_links import LinkState, Reasons, private

UNAVAILABLE = Reasons(
    used_heading="This check-in was already sent",
    used_message=(
        "Each link works once, and this one has been used. Thank you. If something changed, "
        "call your clinic."
    ),
)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest, token: str) -> HttpResponse:
    link, refused = UNAVAILABLE.open(request, "home:" + token, lambda: open_check_in_link(token))
    if refused is not None:
        return refused
    site = link.patient.site
    data = request.POST if request.method == "POST" else None
    form = CheckInForm(data, planned_on=link.planned_on, timezone=site.timezone)
    if data is not None and form.is_valid():
        with transaction.atomic():
            if not link.close(clock.now()):
                return UNAVAILABLE.page(request, LinkState.USED)
            stored = record_check_in(link=link, data=form.cleaned_data, request=request)
        context = {
            "site": site,
            "crisis": stored.suicidal_thoughts,
            "flagged": bool(stored.findings),
            "crisis_text": settings.KETACLINIC_CRISIS_TEXT,
        }
        return private(render(request, "homeprogram/public_done.html", context))
    if data is None:
        record_event(
            request,
            Action.VIEW,
            object_type="home_check_in_link",
            object_id=link.pk,
            patient=link.patient,
        )
    context = {
        "form": form,
        "site": site,
        "link": link,
        "crisis": form.safety_answer_given() if data is not None else False,
        "crisis_text": settings.KETACLINIC_CRISIS_TEXT,
    }
    status = 422 if data is not None else 200
    return private(render(request, "homeprogram/public_form.html", context, status=status))
