"""The triage queue ``/waitlist/``: who is waiting, for what, how long, and what they told us.

Front desk, prescribers and the medical director work it; nurses read it. Every list, view
and change of an enquiry is audited (object_type "enquiry").
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.db.models import Case, Count, IntegerField, OuterRef, Subquery, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from ketaclinic.apps.accounts.models import Site
from ketaclinic.apps.accounts.scoping import (
    get_for_user_or_404,
    require_permission,
    restrict,
    sites_for,
)
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.enquiries import triage
from ketaclinic.apps.enquiries.choices import OPEN_STATUSES
from ketaclinic.apps.enquiries.figures import waiting_figures
from ketaclinic.apps.enquiries.models import Enquiry
from ketaclinic.apps.enquiries.triage_forms import (
    OPEN,
    ContactAttemptForm,
    DeclineForm,
    LinkPatientForm,
    QueueFilterForm,
    ScheduleIntakeForm,
)
from ketaclinic.apps.enquiries.views.poster import join_index_url, public_form_url
from ketaclinic.apps.patients.forms import PatientForm
from ketaclinic.apps.patients.models import Patient
from ketaclinic.apps.web import clock
from ketaclinic.apps.web.pagination import page_number, paginate, query_without_page
from ketaclinic.apps.web.rendering import render_page_or_fragment

VIEW = "enquiries.view_enquiry"
WORK = "enquiries.change_enquiry"


def _enquiry(request: HttpRequest, enquiry_id: int, permission: str) -> Enquiry:
    """One enquiry at a site where the user holds ``permission``, else 404."""
    queryset = Enquiry.objects.select_related("patient")
    return get_for_user_or_404(queryset, request.user, permission, pk=enquiry_id)


def _position() -> Subquery:
    """Place in line: open enquiries of the same site and program that came earlier, plus one."""
    earlier = (
        Enquiry.objects.filter(
            site_id=OuterRef("site_id"),
            program=OuterRef("program"),
            status__in=OPEN_STATUSES,
            submitted_at__lt=OuterRef("submitted_at"),
        )
        .order_by()
        .values("program")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Subquery(earlier, output_field=IntegerField())


@require_permission(VIEW)
def queue(request: HttpRequest) -> HttpResponse:
    sites = list(sites_for(request.user, VIEW))
    form = QueueFilterForm(request.GET or None, sites=sites)
    filters = form.cleaned_data if form.is_valid() else {"status": OPEN}
    enquiries = restrict(Enquiry, request.user, VIEW)
    if filters.get("site"):
        enquiries = enquiries.filter(site_id=filters["site"])
    now = clock.now()
    figures = waiting_figures(enquiries, now)
    listed = enquiries
    status = filters.get("status", OPEN)
    if status == OPEN:
        listed = listed.filter(status__in=OPEN_STATUSES)
    elif status:
        listed = listed.filter(status=status)
    if filters.get("program"):
        listed = listed.filter(program=filters["program"])
    listed = listed.select_related("site").annotate(ahead=_position())
    # Open enquiries reporting current suicidal thoughts come first: call them today.
    urgent_first = Case(
        When(call_first=True, status__in=OPEN_STATUSES, then=Value(0)),
        default=Value(1),
    )
    ordered = listed.order_by(urgent_first, "submitted_at", "id")
    page = paginate(ordered, page_number(request.GET))
    rows = [(e, e.waiting_days(now), (e.ahead or 0) + 1 if e.is_open else None) for e in page.items]
    record_event(
        request,
        Action.VIEW,
        object_type="enquiry",
        detail={"list": [e.pk for e in page.items], "status": status or "all"},
    )
    context = {
        "form": form,
        "figures": figures,
        "page": page,
        "rows": rows,
        "query": query_without_page(request.GET),
        "many_sites": len(sites) > 1,
        "public_forms": [(site, public_form_url(site)) for site in sites],
        "join_index_url": join_index_url(),
    }
    return render_page_or_fragment(
        request, "enquiries/queue.html", "enquiries/_queue_rows.html", context
    )


def _detail_context(request: HttpRequest, enquiry: Enquiry, **forms) -> dict:
    now = clock.now()
    tz = ZoneInfo(enquiry.site.timezone)
    can_work = request.user.has_perm(WORK) and enquiry.is_open
    return {
        "enquiry": enquiry,
        "events": list(enquiry.events.select_related("actor")),
        "age": enquiry.age_on(clock.today(enquiry.site.timezone)),
        "waiting_days": enquiry.waiting_days(now),
        "site_tz": tz,
        "can_work": can_work,
        "can_convert": can_work and request.user.has_perm("patients.add_patient"),
        "contact_form": forms.get("contact_form")
        or ContactAttemptForm(initial={"method": enquiry.preferred_contact}),
        "schedule_form": forms.get("schedule_form") or ScheduleIntakeForm(now=now),
        "decline_form": forms.get("decline_form") or DeclineForm(),
    }


@require_permission(VIEW)
def detail(request: HttpRequest, enquiry_id: int) -> HttpResponse:
    enquiry = _enquiry(request, enquiry_id, VIEW)
    record_event(
        request, Action.VIEW, object_type="enquiry", object_id=enquiry.pk, site=enquiry.site_id
    )
    return render(request, "enquiries/detail.html", _detail_context(request, enquiry))


def _refused(request: HttpRequest, error: triage.TransitionRefused) -> HttpResponse:
    messages.warning(request, f"Nothing changed: {error}. Someone may have been quicker.")
    return redirect("enquiries:detail", enquiry_id=error.enquiry.pk)


def _invalid(request: HttpRequest, enquiry: Enquiry, **forms) -> HttpResponse:
    context = _detail_context(request, enquiry, **forms)
    return render(request, "enquiries/detail.html", context, status=422)


@require_permission(VIEW, WORK)
@require_POST
def contact(request: HttpRequest, enquiry_id: int) -> HttpResponse:
    enquiry = _enquiry(request, enquiry_id, WORK)
    form = ContactAttemptForm(request.POST)
    if not form.is_valid():
        return _invalid(request, enquiry, contact_form=form)
    try:
        triage.log_contact_attempt(enquiry, user=request.user, request=request, **form.cleaned_data)
    except triage.TransitionRefused as error:
        return _refused(request, error)
    messages.success(request, "Contact attempt recorded.")
    return redirect("enquiries:detail", enquiry_id=enquiry.pk)


@require_permission(VIEW, WORK)
@require_POST
def schedule(request: HttpRequest, enquiry_id: int) -> HttpResponse:
    enquiry = _enquiry(request, enquiry_id, WORK)
    with timezone.override(ZoneInfo(enquiry.site.timezone)):
        form = ScheduleIntakeForm(request.POST, now=clock.now())
        valid = form.is_valid()
    if not valid:
        return _invalid(request, enquiry, schedule_form=form)
    try:
        triage.schedule_intake(enquiry, user=request.user, request=request, **form.cleaned_data)
    except triage.TransitionRefused as error:
        return _refused(request, error)
    messages.success(request, "Intake appointment recorded.")
    return redirect("enquiries:detail", enquiry_id=enquiry.pk)


@require_permission(VIEW, WORK)
@require_POST
def decline(request: HttpRequest, enquiry_id: int) -> HttpResponse:
    enquiry = _enquiry(request, enquiry_id, WORK)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return _invalid(request, enquiry, decline_form=form)
    try:
        triage.decline(
            enquiry, user=request.user, reason=form.cleaned_data["reason"], request=request
        )
    except triage.TransitionRefused as error:
        return _refused(request, error)
    messages.success(request, "Enquiry declined.")
    return redirect("enquiries:detail", enquiry_id=enquiry.pk)


def _patient_form(request: HttpRequest, enquiry: Enquiry) -> PatientForm:
    data = request.POST if request.method == "POST" and "mrn_link" not in request.POST else None
    form = PatientForm(
        data,
        initial=triage.patient_initial(enquiry),
        sites=Site.objects.filter(pk=enquiry.site_id),
        today=clock.today(enquiry.site.timezone),
    )
    form.fields["site"].disabled = True
    return form


@require_permission(VIEW, WORK, "patients.add_patient")
@require_http_methods(["GET", "POST"])
def convert(request: HttpRequest, enquiry_id: int) -> HttpResponse:
    """A new-patient form filled from the enquiry: the user checks it and confirms."""
    enquiry = _enquiry(request, enquiry_id, WORK)
    if not enquiry.is_open:
        messages.warning(request, "This enquiry is closed already.")
        return redirect("enquiries:detail", enquiry_id=enquiry.pk)
    form = _patient_form(request, enquiry)
    if request.method == "GET":
        record_event(
            request, Action.VIEW, object_type="enquiry", object_id=enquiry.pk, site=enquiry.site_id
        )
    link_form = LinkPatientForm(request.POST if "mrn_link" in request.POST else None)
    if request.method == "POST":
        patient = None
        if link_form.is_bound and link_form.is_valid():
            patient = Patient.objects.filter(
                site_id=enquiry.site_id, mrn=link_form.cleaned_data["mrn"]
            ).first()
            if patient is None:
                link_form.add_error("mrn", "No patient at this site has this MRN.")
        ready = patient is not None or (not link_form.is_bound and form.is_valid())
        if ready:
            try:
                enquiry = triage.convert_to_patient(
                    enquiry,
                    user=request.user,
                    save_patient=form.save,
                    patient=patient,
                    request=request,
                )
            except triage.TransitionRefused as error:
                return _refused(request, error)
            messages.success(
                request,
                f"{enquiry.patient.full_name} is now a patient (MRN {enquiry.patient.mrn}).",
            )
            return redirect("patients:detail", patient_id=enquiry.patient_id)
    status = 422 if (form.errors or link_form.errors) else 200
    return render(
        request,
        "enquiries/convert.html",
        {
            "enquiry": enquiry,
            "form": form,
            "link_form": link_form,
            "matches": triage.possible_existing_patients(enquiry),
        },
        status=status,
    )
