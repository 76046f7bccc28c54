"""The public enquiry page ``/join/<site-slug>/``: no login, no JavaScript needed, phone-first.

Order of checks on a submission: size (413), rate (429), the form's signed start time, the
honeypot, then the person's answers. Under-18s are told kindly that the clinic treats adults
and nothing they typed is kept; current suicidal thoughts show crisis resources on the very
page that answers the submission and alert the site's clinicians.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ketaclinic.apps.accounts.models import Site
from ketaclinic.apps.enquiries import abuse
from ketaclinic.apps.enquiries.choices import Program, TallyKind
from ketaclinic.apps.enquiries.figures import median_days_to_conversion
from ketaclinic.apps.enquiries.models import Enquiry
from ketaclinic.apps.enquiries.public_forms import HONEYPOT_FIELD, EnquiryForm
from ketaclinic.apps.enquiries.submission import accept_enquiry, count_turned_away
from ketaclinic.apps.web import clock


def _form_page(
    request: HttpRequest, site: Site, form: EnquiryForm, *, status: int = 200, problem: str = ""
) -> HttpResponse:
    token = abuse.started_token(site.pk, clock.now())
    if form.is_bound:
        data = form.data.copy()
        data["started"] = token
        form.data = data
    else:
        form.initial["started"] = token
    return render(
        request,
        "enquiries/public_form.html",
        {
            "site": site,
            "form": form,
            "problem": problem,
            "crisis": _ticked_crisis(request),
            "crisis_text": settings.KETACLINIC_CRISIS_TEXT,
        },
        status=status,
    )


def _ticked_crisis(request: HttpRequest) -> bool:
    """Crisis resources follow the tick, on whatever page answers the submission."""
    return request.method == "POST" and request.POST.get("suicidal_thoughts") in ("on", "true", "1")


def _confirmation(
    request: HttpRequest, site: Site, program: str, *, crisis: bool, alerted: bool = False
) -> HttpResponse:
    typical = median_days_to_conversion(Enquiry.objects.filter(site=site), clock.now())
    return render(
        request,
        "enquiries/public_thanks.html",
        {
            "site": site,
            "program_label": Program(program).label if program in Program.values else "",
            "typical_days": typical.get(program),
            "crisis": crisis,
            "alerted": alerted,
            "crisis_text": settings.KETACLINIC_CRISIS_TEXT,
        },
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, site_slug: str) -> HttpResponse:
    site = get_object_or_404(Site, slug=site_slug)
    if request.method == "GET":
        wanted = request.GET.get("program")
        initial = {"program": wanted} if wanted in Program.values else {}
        return _form_page(request, site, EnquiryForm(initial=initial, today=_today(site)))

    now = clock.now()
    if abuse.body_too_large(request):
        count_turned_away(site, TallyKind.OVERSIZE, _today(site))
        return _refused(request, site, status=413)
    if abuse.rate_limited(request):
        count_turned_away(site, TallyKind.RATE_LIMITED, _today(site))
        return _refused(request, site, status=429)

    form = EnquiryForm(request.POST, today=_today(site))
    age = abuse.check_started_token(request.POST.get("started", ""), site.pk, now)
    if not age.valid:
        if age.too_fast:
            count_turned_away(site, TallyKind.TOO_FAST, _today(site))
        problem = (
            "That was quicker than we expected. Please check your answers and press Send again."
            if age.too_fast
            else "This form had expired. Please check your answers and press Send again."
        )
        return _form_page(request, site, form, status=422, problem=problem)

    if request.POST.get(HONEYPOT_FIELD):
        abuse.count_submission(request)
        count_turned_away(site, TallyKind.HONEYPOT, _today(site))
        program = request.POST.get("program", "")
        return _confirmation(request, site, program, crisis=_ticked_crisis(request))

    valid = form.is_valid()
    crisis = bool(form.cleaned_data.get("suicidal_thoughts"))
    if form.is_under_age:
        abuse.count_submission(request)
        count_turned_away(site, TallyKind.UNDER_18, _today(site))
        return render(
            request,
            "enquiries/public_adults_only.html",
            {"site": site, "crisis": crisis, "crisis_text": settings.KETACLINIC_CRISIS_TEXT},
        )
    if not valid:
        return _form_page(request, site, form, status=422)
    abuse.count_submission(request)
    enquiry = accept_enquiry(form, site=site, now=now, request=request)
    crisis = enquiry.suicidal_thoughts
    return _confirmation(request, site, enquiry.program, crisis=crisis, alerted=crisis)


def _refused(request: HttpRequest, site: Site, *, status: int) -> HttpResponse:
    context = {
        "site": site,
        "too_large": status == 413,
        "crisis_text": settings.KETACLINIC_CRISIS_TEXT,
    }
    return render(request, "enquiries/public_refused.html", context, status=status)


def _today(site: Site):
    return clock.today(site.timezone)
