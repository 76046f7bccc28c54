"""The outcomes dashboard, the de-identified dataset export and a patient's progress report."""

from __future__ import annotations

from collections.abc import Iterator

from django.db import transaction
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from ketaclinic.apps.accounts.scoping import get_for_user_or_404, require_permission
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.outcomes.cohort import filtered_outcomes
from ketaclinic.apps.outcomes.dataset import COLUMNS, dataset_rows
from ketaclinic.apps.outcomes.forms import CohortFilterForm
from ketaclinic.apps.outcomes.patient import patient_outcomes
from ketaclinic.apps.outcomes.refreshing import refresh_all
from ketaclinic.apps.outcomes.reporting import cohort_report
from ketaclinic.apps.patients.models import Patient
from ketaclinic.apps.web import clock
from ketaclinic.apps.web.csv_export import csv_lines

COHORT = "outcomes.view_cohort"


def _form(request: HttpRequest) -> CohortFilterForm:
    return CohortFilterForm(request.GET or None, user=request.user)


@require_permission(COHORT)
def dashboard(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    if form.is_bound and not form.is_valid():
        return render(request, "outcomes/dashboard.html", {"form": form}, status=422)
    filters = form.filters()
    report = cohort_report(filters)
    record_event(
        request, Action.VIEW, object_type="outcomes_cohort", detail={"filters": filters.as_dict()}
    )
    return render(
        request,
        "outcomes/dashboard.html",
        {
            "form": form,
            "report": report,
            "s": report.summary,
            "query": request.GET.urlencode(),
            "can_export": request.user.has_perm("outcomes.export_dataset"),
            "can_refresh": request.user.has_perm("outcomes.refresh_outcomes"),
        },
    )


@require_permission(COHORT, "outcomes.export_dataset")
def export_dataset(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """One row per course, no names, MRN, dates of birth or calendar dates: audited."""
    form = _form(request)
    if form.is_bound and not form.is_valid():
        return HttpResponse(form.errors.as_text(), status=422, content_type="text/plain")
    filters = form.filters()
    record_event(
        request,
        Action.EXPORT,
        object_type="outcomes_dataset",
        detail={"format": "csv", "filters": filters.as_dict()},
    )
    stamp = clock.now().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(
        _csv_lines(dataset_rows(filtered_outcomes(filters))), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="ketaclinic-outcomes-{stamp}.csv"'
    return response


def _csv_lines(rows: Iterator[list]) -> Iterator[str]:
    return csv_lines(COLUMNS, rows)


@require_POST
@require_permission("outcomes.refresh_outcomes")
def refresh(request: HttpRequest) -> HttpResponse:
    with transaction.atomic():
        stored = refresh_all(clock.now())
        record_event(
            request, Action.UPDATE, object_type="outcomes_refresh", detail={"courses": stored}
        )
    return redirect(reverse("outcomes:dashboard"))


@require_permission("outcomes.print_progress_report")
def progress_report(request: HttpRequest, patient_id: int) -> HttpResponse:
    """A PDF for the patient or the referring physician: scores, outcomes, trajectory."""
    patient = get_for_user_or_404(Patient, request.user, "patients.view_patient", pk=patient_id)
    audience = "referrer" if request.GET.get("for") == "referrer" else "patient"
    courses = patient_outcomes(patient)
    record_event(
        request,
        Action.EXPORT,
        object_type="outcomes_progress_report",
        object_id=patient.pk,
        patient=patient,
        detail={"format": "pdf", "for": audience, "courses": [c.row.course_id for c in courses]},
    )
    html = render_to_string(
        "outcomes/progress_report.html",
        {
            "patient": patient,
            "courses": courses,
            "audience": audience,
            "generated_at": clock.now(),
            "user": request.user,
        },
    )
    from weasyprint import HTML

    pdf = HTML(string=html).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="progress-report-{patient.mrn}-{clock.now():%Y%m%d}.pdf"'
    )
    return response
