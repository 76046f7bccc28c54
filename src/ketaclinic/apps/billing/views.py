"""Billing pages: authorizations of a course and those about to lapse, the prior-authorization
packet, antidepressant trials, a patient's superbill (page and PDF), the claims file.

No claim is sent electronically from any of them: every page says so."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

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


def _form_page(
    request: HttpRequest,
    form: Any,
    *,
    may_save: str,
    save: Callable[[Any], Any],
    saved: str,
    back: Callable[[], HttpResponse],
    seen: dict[str, Any],
    template: str,
    context: Callable[[], dict[str, Any]],
) -> HttpResponse:
    """A billing page with a form for ``context["patient"]``: GET shows it, its reading
    audited as ``seen`` (the audit event's object); a POST needs ``may_save``, runs ``save``
    (which audits its write) in one transaction, says ``saved`` and goes ``back``. An
    invalid form is the page again, 422."""
    if request.method == "POST":
        if not request.user.has_perm(may_save):
            raise PermissionDenied
        if form.is_valid():
            with transaction.atomic():
                save(form)
            messages.success(request, saved)
            return back()
    shown = context()
    record_event(request, Action.VIEW, patient=shown["patient"], **seen)
    return render(request, template, {**shown, "form": form}, status=422 if form.errors else 200)


def _stamped(form: Any, **fields: Any) -> Any:
    """The form's row with ``fields`` set, saved."""
    row = form.save(commit=False)
    for name, value in fields.items():
        setattr(row, name, value)
    row.save()
    return row


@require_permission(VIEW)
@require_http_methods(["GET", "POST"])
def course_authorizations(request: HttpRequest, course_id: int) -> HttpResponse:
    course = get_for_user_or_404(
        Course.objects.select_related("patient", "prescriber"), request.user, VIEW, pk=course_id
    )

    def save(form: AuthorizationForm) -> None:
        now = clock.now()
        authorization = _stamped(
            form, course=course, created_by=request.user, created_at=now, updated_at=now
        )
        record_event(
            request,
            Action.CREATE,
            object_type="prior_authorization",
            object_id=authorization.pk,
            patient=course.patient,
            detail={"status": authorization.status, "payer": authorization.payer_kind},
        )

    return _form_page(
        request,
        AuthorizationForm(request.POST or None, initial={"starts_on": course.starts_on}),
        may_save="billing.add_priorauthorization",
        save=save,
        saved="Prior authorization recorded.",
        back=lambda: redirect("billing:course-authorizations", course_id=course.pk),
        seen={"object_type": "prior_authorization_list", "object_id": course.pk},
        template="billing/course_authorizations.html",
        context=lambda: {
            "course": course,
            "patient": course.patient,
            "authorizations": with_session_counts(course.authorizations.all()).order_by(
                "-starts_on"
            ),
            "can_add": request.user.has_perm("billing.add_priorauthorization"),
        },
    )


@require_permission(VIEW)
@require_http_methods(["GET", "POST"])
def authorization_edit(request: HttpRequest, authorization_id: int) -> HttpResponse:
    authorization = _authorization_for(request.user, authorization_id)
    course = authorization.course

    def save(form: AuthorizationForm) -> None:
        changed = form.changed_data
        saved = _stamped(form, updated_at=clock.now())
        record_event(
            request,
            Action.UPDATE,
            object_type="prior_authorization",
            object_id=saved.pk,
            patient=course.patient,
            detail={"changed": changed, "status": saved.status},
        )

    return _form_page(
        request,
        AuthorizationForm(request.POST or None, instance=authorization),
        may_save="billing.change_priorauthorization",
        save=save,
        saved="Prior authorization updated.",
        back=lambda: redirect("billing:course-authorizations", course_id=course.pk),
        seen={"object_type": "prior_authorization", "object_id": authorization.pk},
        template="billing/authorization_edit.html",
        context=lambda: {
            "authorization": authorization,
            "course": course,
            "patient": course.patient,
        },
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

    def save(form: TrialForm) -> None:
        trial = _stamped(form, patient=patient, recorded_by=request.user, recorded_at=clock.now())
        record_event(
            request,
            Action.CREATE,
            object_type="antidepressant_trial",
            object_id=trial.pk,
            patient=patient,
        )

    return _form_page(
        request,
        TrialForm(request.POST or None),
        may_save="patients.add_antidepressanttrial",
        save=save,
        saved="Trial recorded.",
        back=lambda: redirect("billing:trials", patient_id=patient.pk),
        seen={"object_type": "antidepressant_trial_list"},
        template="billing/trials.html",
        context=lambda: {
            "patient": patient,
            "trials": patient.antidepressant_trials.select_related("recorded_by"),
            "can_add": request.user.has_perm("patients.add_antidepressanttrial"),
        },
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
