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

from ketaclinic.apps.assessments.forms import InstrumentForm
from ketaclinic.apps.assessments.links import open_link
from ketaclinic.apps.assessments.recording import record_assessment
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.web import clock
from ketaclinic.apps.web.private_links import LinkState, Reasons, private

UNAVAILABLE = Reasons(
    used_heading="This questionnaire was already sent",
    used_message=(
        "Each link works once, and this one has been used. Thank you. If you need to change "
        "an answer, tell your clinic."
    ),
)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def self_report(request: HttpRequest, token: str) -> HttpResponse:
    link, refused = UNAVAILABLE.open(request, token, lambda: open_link(token))
    if refused is not None:
        return refused
    patient = link.patient
    data = request.POST if request.method == "POST" else None
    forms = [InstrumentForm(key, data, prefix=key) for key in link.instruments]
    valid = [form.is_valid() for form in forms] if data is not None else [False]
    if all(valid):
        with transaction.atomic():
            if not link.close(clock.now()):
                return UNAVAILABLE.page(request, LinkState.USED)
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
        return private(render(request, "assessments/public_done.html", context))
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
    return private(render(request, "assessments/public_form.html", context, status=status))
