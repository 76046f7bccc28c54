"""The patient's self-report page at ``/r/<token>/``: no login, only that link's forms.

Rate-limited per client address and per token; answers are scored by the core, stored as
a self-report, and any alert flag reaches a clinician in the same transaction. Crisis
resources appear at the top as soon as a safety item is answered positively, and on the
confirmation page.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ketaclinic.apps.assessments.choices import LinkState
from ketaclinic.apps.assessments.forms import InstrumentForm
from ketaclinic.apps.assessments.links import LinkGone, LinkNotFound, close_link, open_link
from ketaclinic.apps.assessments.ratelimit import ADDRESS_LIMIT, TOKEN_LIMIT, allow
from ketaclinic.apps.assessments.recording import record_assessment
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.web import clock

UNAVAILABLE = {
    "not_found": (
        404,
        "This link does not work",
        "Check that you opened the whole link from your message, or ask your clinic for a new one.",
    ),
    LinkState.USED: (
        410,
        "This questionnaire was already sent",
        "Each link works once, and this one has been used. Thank you. If you need to change "
        "an answer, tell your clinic.",
    ),
    LinkState.EXPIRED: (
        410,
        "This link has expired",
        "Ask your clinic for a new link.",
    ),
    "too_many": (
        429,
        "Too many attempts",
        "Please wait ten minutes and try again.",
    ),
}


def _private(response: HttpResponse) -> HttpResponse:
    # The site-wide Referrer-Policy (same-origin) already keeps the token from other sites;
    # "no-referrer" would make browsers send "Origin: null" and fail the CSRF check.
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _unavailable(request: HttpRequest, reason: str) -> HttpResponse:
    status, heading, message = UNAVAILABLE[reason]
    context = {
        "heading": heading,
        "message": message,
        "crisis_text": settings.KETACLINIC_CRISIS_TEXT,
    }
    return _private(render(request, "assessments/public_unavailable.html", context, status=status))


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def self_report(request: HttpRequest, token: str) -> HttpResponse:
    address = request.client_address or "unknown"
    if not allow(ADDRESS_LIMIT, address) or not allow(TOKEN_LIMIT, token):
        return _unavailable(request, "too_many")
    try:
        link = open_link(token)
    except LinkNotFound:
        return _unavailable(request, "not_found")
    except LinkGone as gone:
        return _unavailable(request, gone.state)
    patient = link.patient
    data = request.POST if request.method == "POST" else None
    forms = [InstrumentForm(key, data, prefix=key) for key in link.instruments]
    valid = [form.is_valid() for form in forms] if data is not None else [False]
    if all(valid):
        with transaction.atomic():
            if not close_link(link):
                return _unavailable(request, LinkState.USED)
            now = clock.now()
            stored = [
                record_assessment(
                    patient=patient,
                    instrument=form.instrument.id,
                    answers=form.answers(),
                    taken_at=now,
                    session=link.session,
                    link=link,
                    request=request,
                )
                for form in forms
            ]
        context = {
            "site": patient.site,
            "crisis": any(a.flags for a in stored),
            "crisis_text": settings.KETACLINIC_CRISIS_TEXT,
        }
        return _private(render(request, "assessments/public_done.html", context))
    if data is None:
        record_event(
            request,
            Action.VIEW,
            object_type="self_report_link",
            object_id=link.pk,
            patient=patient,
        )
    context = {
        "forms": forms,
        "site": patient.site,
        "link": link,
        "crisis": any(form.safety_answer_given() for form in forms) if data is not None else False,
        "crisis_text": settings.KETACLINIC_CRISIS_TEXT,
        "has_errors": data is not None,
    }
    status = 422 if data is not None else 200
    return _private(render(request, "assessments/public_form.html", context, status=status))
