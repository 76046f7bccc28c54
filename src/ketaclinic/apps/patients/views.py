"""Patient pages: search, create, chart, edit, weight and height. Every access is audited."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from ketaclinic.apps.accounts.scoping import (
    get_for_user_or_404,
    require_permission,
    restrict,
    sites_for,
)
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.listing import record_listing
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.patients.forms import MeasurementForm, PatientForm, PatientSearchForm
from ketaclinic.apps.patients.models import Condition, Measurement, Patient, body_metrics
from ketaclinic.apps.patients.search import search_patients
from ketaclinic.apps.web import clock
from ketaclinic.apps.web.pagination import keyset_page_for, query_without_page
from ketaclinic.apps.web.prepared_query import PreparedQuery
from ketaclinic.apps.web.rendering import render_page_or_fragment

#: The patient list's order; ``patient_name_order_idx`` serves it (the list grows with the
#: clinic, so it is paged by this key, not by page number).
PATIENT_ORDER = ("family_name", "given_name", "id")


@require_permission("patients.view_patient")
def patient_list(request: HttpRequest) -> HttpResponse:
    form = PatientSearchForm(request.GET or None)
    patients = restrict(Patient, request.user, "patients.view_patient").select_related("site")
    searched = form.has_terms
    if searched:
        patients = search_patients(
            patients, form.cleaned_data["q"], form.cleaned_data["date_of_birth"]
        )
    page = keyset_page_for(patients, PATIENT_ORDER, request.GET)
    record_listing(
        request,
        "patient",
        [patient.pk for patient in page.items],
        page=page.audit_page,
        search_text=form.cleaned_data["q"] if searched else None,
        filters={"date_of_birth": bool(form.cleaned_data["date_of_birth"])} if searched else None,
    )
    context = {
        "form": form,
        "page": page,
        "searched": searched,
        "query": query_without_page(request.GET),
        "can_add": request.user.has_perm("patients.add_patient"),
    }
    return render_page_or_fragment(
        request, "patients/patient_list.html", "patients/_patient_results.html", context
    )


@require_permission("patients.add_patient")
@require_http_methods(["GET", "POST"])
def patient_create(request: HttpRequest) -> HttpResponse:
    form = PatientForm(
        request.POST or None,
        sites=sites_for(request.user, "patients.add_patient"),
        today=clock.today(),
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            patient = form.save()
            record_event(
                request, Action.CREATE, object_type="patient", object_id=patient.pk, patient=patient
            )
        messages.success(request, f"{patient.full_name} was added with MRN {patient.mrn}.")
        return redirect("patients:detail", patient_id=patient.pk)
    return render(
        request,
        "patients/patient_form.html",
        {"form": form, "creating": True},
        status=422 if form.errors else 200,
    )


# The chart's own rows, by patient id, compiled once per database (``PreparedQuery``):
# compiling each queryset cost the chart more CPU than the database took to answer it.
CHART_MEASUREMENTS = PreparedQuery(
    lambda patient_id: Measurement.objects.filter(patient_id=patient_id).select_related(
        "recorded_by"
    )[:20]
)
CHART_CONDITIONS = PreparedQuery(lambda patient_id: Condition.objects.filter(patient_id=patient_id))


def _chart_context(request: HttpRequest, patient, measurement_form=None) -> dict:
    today = clock.today(patient.site.timezone)
    measurements = CHART_MEASUREMENTS.instances(patient.pk)
    return {
        "patient": patient,
        "age": patient.age_on(today),
        "measurements": measurements,
        "metrics": body_metrics(measurements),
        "conditions": CHART_CONDITIONS.instances(patient.pk),
        "measurement_form": measurement_form or MeasurementForm(today=today),
        "can_edit": request.user.has_perm("patients.change_patient"),
        "can_measure": request.user.has_perm("patients.add_measurement"),
    }


@require_permission("patients.view_patient")
def patient_detail(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_for_user_or_404(Patient, request.user, "patients.view_patient", pk=patient_id)
    record_event(request, Action.VIEW, object_type="patient", object_id=patient.pk, patient=patient)
    return render(request, "patients/patient_detail.html", _chart_context(request, patient))


@require_permission("patients.change_patient")
@require_http_methods(["GET", "POST"])
def patient_edit(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_for_user_or_404(Patient, request.user, "patients.change_patient", pk=patient_id)
    form = PatientForm(
        request.POST or None,
        instance=patient,
        sites=sites_for(request.user, "patients.change_patient"),
        today=clock.today(),
    )
    if request.method == "GET":
        record_event(
            request, Action.VIEW, object_type="patient", object_id=patient.pk, patient=patient
        )
    if request.method == "POST" and form.is_valid():
        changed = sorted(form.changed_data)
        with transaction.atomic():
            form.save()
            record_event(
                request,
                Action.UPDATE,
                object_type="patient",
                object_id=patient.pk,
                patient=patient,
                detail={"fields": changed},
            )
        messages.success(request, "Changes saved." if changed else "Nothing was changed.")
        return redirect("patients:detail", patient_id=patient.pk)
    return render(
        request,
        "patients/patient_form.html",
        {"form": form, "patient": patient, "creating": False},
        status=422 if form.errors else 200,
    )


@require_permission("patients.add_measurement")
@require_POST
def measurement_add(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_for_user_or_404(Patient, request.user, "patients.add_measurement", pk=patient_id)
    form = MeasurementForm(request.POST, today=clock.today(patient.site.timezone))
    if form.is_valid():
        with transaction.atomic():
            measurement = form.save(commit=False)
            measurement.patient = patient
            measurement.recorded_by = request.user
            measurement.save()
            record_event(
                request,
                Action.CREATE,
                object_type="measurement",
                object_id=measurement.pk,
                patient=patient,
            )
        messages.success(request, f"Weight {measurement.weight_kg} kg recorded.")
        return redirect("patients:detail", patient_id=patient.pk)
    context = _chart_context(request, patient, form)
    return render(request, "patients/patient_detail.html", context, status=422)
