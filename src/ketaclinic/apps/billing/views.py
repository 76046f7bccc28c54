"""Billing pages: authorizations of a course and those about to lapse, the prior-authorization
packet, antidepressant trials, a patient's superbill (page and PDF), the claims file.

No claim is sent electronically from any of them: every page says so."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_http_methods

from ketaclinic.apps.accounts.scoping import (
    at_sites,
    get_for_user_or_404,
    require_permission,
    site_ids_for,
)
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.listing import record_listing
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.billing.authorizations import lapsing_for_sites, with_session_counts
from ketaclinic.apps.billing.forms import AuthorizationForm, PeriodForm, TrialForm
from ketaclinic.apps.billing.models import PriorAuthorization
from ketaclinic.apps.billing.packets import build_packet
from ketaclinic.apps.billing.superbills import (
    CLAIM_COLUMNS,
    NO_CLAIMS_SENT,
    bill,
    claim_rows,
    local_range,
)
from ketaclinic.apps.patients.models import Patient
from ketaclinic.apps.treatment.models import Course, Session
from ketaclinic.apps.web import clock
from ketaclinic.apps.web.csv_export import csv_lines
from ketaclinic.apps.web.pagination import page_number, paginate

VIEW = "billing.view_priorauthorization"


def _pdf(html: str, filename: str) -> HttpResponse:
    from weasyprint import HTML

    response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_permission(VIEW, "billing.view_lapsing_authorizations")
def lapsing(request: HttpRequest) -> HttpResponse:
    """Every approved authorization at the user's sites about to lapse, by date or count."""
    lapses = lapsing_for_sites(
        site_ids_for(request.user, VIEW, "billing.view_lapsing_authorizations"), clock.today()
    )
    page = paginate(lapses, page_number(request.GET))
    record_listing(
        request,
        "prior_authorization",
        [lapse.authorization.course.patient_id for lapse in page.items],
        page=page.number,
    )
    return render(
        request,
        "billing/lapsing.html",
        {"lapses": page.items, "page": page, "no_claims_sent": NO_CLAIMS_SENT},
    )


def _authorization_for(user, authorization_id: int) -> PriorAuthorization:
    authorizations = PriorAuthorization.objects.select_related("course__patient__site")
    return get_for_user_or_404(authorizations, user, VIEW, pk=authorization_id)


@require_permission(VIEW)
@require_http_methods(["GET", "POST"])
def course_authorizations(request: HttpRequest, course_id: int) -> HttpResponse:
    course = get_for_user_or_404(
        Course.objects.select_related("patient", "prescriber"), request.user, VIEW, pk=course_id
    )
    form = AuthorizationForm(request.POST or None, initial={"starts_on": course.starts_on})
    if request.method == "POST":
        if not request.user.has_perm("billing.add_priorauthorization"):
            raise PermissionDenied
        if form.is_valid():
            with transaction.atomic():
                authorization = form.save(commit=False)
                authorization.course = course
                authorization.created_by = request.user
                authorization.created_at = authorization.updated_at = clock.now()
                authorization.save()
                record_event(
                    request,
                    Action.CREATE,
                    object_type="prior_authorization",
                    object_id=authorization.pk,
                    patient=course.patient,
                    detail={"status": authorization.status, "payer": authorization.payer_kind},
                )
            messages.success(request, "Prior authorization recorded.")
            return redirect("billing:course-authorizations", course_id=course.pk)
    record_event(
        request,
        Action.VIEW,
        object_type="prior_authorization_list",
        object_id=course.pk,
        patient=course.patient,
    )
    authorizations = with_session_counts(course.authorizations.all()).order_by("-starts_on")
    return render(
        request,
        "billing/course_authorizations.html",
        {
            "course": course,
            "patient": course.patient,
            "authorizations": authorizations,
            "form": form,
            "can_add": request.user.has_perm("billing.add_priorauthorization"),
        },
        status=422 if form.errors else 200,
    )


@require_permission(VIEW)
@require_http_methods(["GET", "POST"])
def authorization_edit(request: HttpRequest, authorization_id: int) -> HttpResponse:
    authorization = _authorization_for(request.user, authorization_id)
    course = authorization.course
    form = AuthorizationForm(request.POST or None, instance=authorization)
    if request.method == "POST":
        if not request.user.has_perm("billing.change_priorauthorization"):
            raise PermissionDenied
        if form.is_valid():
            with transaction.atomic():
                changed = form.changed_data
                authorization = form.save(commit=False)
                authorization.updated_at = clock.now()
                authorization.save()
                record_event(
                    request,
                    Action.UPDATE,
                    object_type="prior_authorization",
                    object_id=authorization.pk,
                    patient=course.patient,
                    detail={"changed": changed, "status": authorization.status},
                )
            messages.success(request, "Prior authorization updated.")
            return redirect("billing:course-authorizations", course_id=course.pk)
    record_event(
        request,
        Action.VIEW,
        object_type="prior_authorization",
        object_id=authorization.pk,
        patient=course.patient,
    )
    return render(
        request,
        "billing/authorization_edit.html",
        {"authorization": authorization, "course": course, "patient": course.patient, "form": form},
        status=422 if form.errors else 200,
    )


@require_permission(VIEW, "billing.print_authorization_packet")
def packet_pdf(request: HttpRequest, authorization_id: int) -> HttpResponse:
    authorization = _authorization_for(request.user, authorization_id)
    course = authorization.course
    packet = build_packet(course, authorization)
    record_event(
        request,
        Action.EXPORT,
        object_type="prior_authorization_packet",
        object_id=authorization.pk,
        patient=course.patient,
        detail={"format": "pdf", "trials": len(packet.trials)},
    )
    html = render_to_string(
        "billing/packet_pdf.html",
        {
            "packet": packet,
            "patient": course.patient,
            "generated_at": clock.now(),
            "user": request.user,
        },
    )
    return _pdf(html, f"prior-authorization-{course.patient.mrn}-{clock.now():%Y%m%d}.pdf")


@require_permission("patients.view_antidepressanttrial")
@require_http_methods(["GET", "POST"])
def trials(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The patient's previous antidepressant trials (intake): the resistance history."""
    patient = get_for_user_or_404(Patient, request.user, "patients.view_patient", pk=patient_id)
    form = TrialForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("patients.add_antidepressanttrial"):
            raise PermissionDenied
        if form.is_valid():
            with transaction.atomic():
                trial = form.save(commit=False)
                trial.patient = patient
                trial.recorded_by = request.user
                trial.recorded_at = clock.now()
                trial.save()
                record_event(
                    request,
                    Action.CREATE,
                    object_type="antidepressant_trial",
                    object_id=trial.pk,
                    patient=patient,
                )
            messages.success(request, "Trial recorded.")
            return redirect("billing:trials", patient_id=patient.pk)
    record_event(request, Action.VIEW, object_type="antidepressant_trial_list", patient=patient)
    return render(
        request,
        "billing/trials.html",
        {
            "patient": patient,
            "trials": patient.antidepressant_trials.select_related("recorded_by"),
            "form": form,
            "can_add": request.user.has_perm("patients.add_antidepressanttrial"),
        },
        status=422 if form.errors else 200,
    )


def _period(request: HttpRequest, site) -> tuple[PeriodForm, dt.date, dt.date]:
    today = clock.today(site.timezone if site else None)
    form = PeriodForm(request.GET or {"start": today.replace(day=1), "end": today})
    if form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    return form, today.replace(day=1), today


def _patient_bill(request: HttpRequest, patient_id: int):
    patient = get_for_user_or_404(Patient, request.user, "patients.view_patient", pk=patient_id)
    form, start, end = _period(request, patient.site)
    since, until = local_range(patient.site, start, end)
    sessions = Session.objects.filter(
        patient=patient, planned_start__gte=since, planned_start__lt=until
    )
    return patient, form, start, end, bill(sessions)


@require_permission("billing.print_superbill")
def superbill(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient, form, start, end, result = _patient_bill(request, patient_id)
    record_event(
        request,
        Action.VIEW,
        object_type="superbill",
        patient=patient,
        detail={"from": start.isoformat(), "to": end.isoformat(), "lines": len(result.lines)},
    )
    return render(
        request,
        "billing/superbill.html",
        {
            "patient": patient,
            "form": form,
            "bill": result,
            "start": start,
            "end": end,
            "no_claims_sent": NO_CLAIMS_SENT,
            "query": request.GET.urlencode(),
        },
        status=422 if form.errors else 200,
    )


@require_permission("billing.print_superbill")
def superbill_pdf(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient, _form, start, end, result = _patient_bill(request, patient_id)
    record_event(
        request,
        Action.EXPORT,
        object_type="superbill",
        patient=patient,
        detail={"format": "pdf", "from": start.isoformat(), "to": end.isoformat()},
    )
    profile = getattr(patient.site, "billing_profile", None)
    html = render_to_string(
        "billing/superbill_pdf.html",
        {
            "patient": patient,
            "bill": result,
            "start": start,
            "end": end,
            "profile": profile,
            "generated_at": clock.now(),
            "no_claims_sent": NO_CLAIMS_SENT,
        },
    )
    return _pdf(html, f"superbill-{patient.mrn}-{start:%Y%m%d}-{end:%Y%m%d}.pdf")


@require_permission("billing.export_claims")
def claims_csv(request: HttpRequest) -> HttpResponse:
    """Every billing line at the user's sites in the dates, CMS-1500 item names as columns."""
    site_ids = site_ids_for(request.user, "billing.export_claims")
    form, start, end = _period(request, None)
    if form.errors:
        return HttpResponse(form.errors.as_text(), status=422, content_type="text/plain")
    since = dt.datetime.combine(start, dt.time(), dt.UTC) - dt.timedelta(hours=14)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.UTC) + dt.timedelta(
        hours=12
    )
    sessions = at_sites(Session, site_ids).filter(planned_start__gte=since, planned_start__lt=until)
    result = bill(sessions)
    lines = [line for line in result.lines if start <= line.served_on <= end]
    record_event(
        request,
        Action.EXPORT,
        object_type="claims_file",
        detail={
            "format": "csv",
            "from": start.isoformat(),
            "to": end.isoformat(),
            "sites": site_ids,
            "patients": sorted({line.session.patient_id for line in lines}),
        },
    )
    response = StreamingHttpResponse(
        csv_lines(CLAIM_COLUMNS, claim_rows(lines)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="ketaclinic-claims-{start:%Y%m%d}-{end:%Y%m%d}.csv"'
    )
    return response
