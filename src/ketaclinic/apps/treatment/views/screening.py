"""Screening pages: answers and vitals in, findings with their sources out, then sign-off."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from ketaclinic.apps.accounts.scoping import get_for_user_or_404, require_permission
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.patients.models import Patient
from ketaclinic.apps.treatment.choices import ScreeningSex
from ketaclinic.apps.treatment.findings import grouped
from ketaclinic.apps.treatment.forms import ScreeningForm, SignoffForm
from ketaclinic.apps.treatment.models import Screening
from ketaclinic.apps.treatment.screenings import SignoffRefused, run_screening, sign_screening
from ketaclinic.apps.web import clock
from ketaclinic.clinical.dosing import EsketamineLabel, esketamine_starting_dose_mg
from ketaclinic.clinical.routes import Route

SCREENINGS = Screening.objects.select_related("patient", "screened_by", "signed_by")


@require_permission("treatment.add_screening")
@require_http_methods(["GET", "POST"])
def screening_new(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_for_user_or_404(
        Patient, request.user, "patients.view_patient", "treatment.add_screening", pk=patient_id
    )
    age = patient.age_on(clock.today(patient.site.timezone))
    latest = patient.measurements.first()
    measured_height = patient.measurements.exclude(height_cm=None).first()
    initial = {
        "sex": patient.sex_at_birth if patient.sex_at_birth in ScreeningSex.values else "",
        "weight_kg": latest.weight_kg if latest else None,
        "height_cm": measured_height.height_cm if measured_height else None,
    }
    form = ScreeningForm(request.POST or None, initial=initial, age=age)
    if request.method == "POST" and form.is_valid():
        screening = run_screening(patient, form.inputs(), user=request.user, request=request)
        messages.success(request, f"Screened: {screening.get_decision_display().lower()}.")
        return redirect("treatment:screening", screening_id=screening.pk)
    return render(
        request,
        "treatment/screening_form.html",
        {"form": form, "patient": patient, "age": age, "latest": latest},
        status=422 if form.errors else 200,
    )


def esketamine_start_note(screening) -> str:
    """For an esketamine screening, the day-1 dose the site's label gives this patient's age."""
    age = screening.inputs.get("age")
    if screening.route != Route.ESKETAMINE or not isinstance(age, int):
        return ""
    site = screening.patient.site
    label = EsketamineLabel(site.esketamine_label)
    start = esketamine_starting_dose_mg(label, age)
    name = "the EU/UK SmPC" if label is EsketamineLabel.EU else "the US label"
    why = " (65 and over)" if start != Decimal("56") else ""
    return (
        f"Esketamine starts at {start:f} mg on day 1 under {name}, which {site.name} follows{why}."
    )


def _screening_context(request: HttpRequest, screening, signoff_form=None) -> dict:
    can_sign = request.user.has_perm("treatment.sign_screening") and not screening.is_signed
    courses = list(screening.courses.all())
    return {
        "screening": screening,
        "patient": screening.patient,
        "groups": grouped(screening.findings),
        "signoff_form": signoff_form or (SignoffForm(screening=screening) if can_sign else None),
        "can_sign": can_sign,
        "can_plan": screening.may_plan
        and not courses
        and request.user.has_perm("treatment.add_course"),
        "reasons": sorted(screening.signoff_reasons.items()),
        "courses": courses,
        "esketamine_start": esketamine_start_note(screening),
    }


@require_permission("treatment.view_screening")
def screening_detail(request: HttpRequest, screening_id: int) -> HttpResponse:
    screening = get_for_user_or_404(
        SCREENINGS, request.user, "treatment.view_screening", pk=screening_id
    )
    record_event(
        request,
        Action.VIEW,
        object_type="screening",
        object_id=screening.pk,
        patient=screening.patient,
    )
    return render(
        request, "treatment/screening_detail.html", _screening_context(request, screening)
    )


@require_permission("treatment.sign_screening")
@require_POST
def screening_sign(request: HttpRequest, screening_id: int) -> HttpResponse:
    screening = get_for_user_or_404(
        SCREENINGS, request.user, "treatment.sign_screening", pk=screening_id
    )
    if screening.is_signed:
        messages.error(request, "This screening is already signed; screen again to decide anew.")
        return redirect("treatment:screening", screening_id=screening.pk)
    form = SignoffForm(request.POST, screening=screening)
    if form.is_valid():
        try:
            sign_screening(
                screening,
                decision=form.cleaned_data["decision"],
                reasons=form.reasons(),
                note=form.cleaned_data["note"],
                user=request.user,
                request=request,
            )
        except SignoffRefused as refused:  # signed by someone else meanwhile
            for field, message in refused.errors.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, "Screening signed.")
            return redirect("treatment:screening", screening_id=screening.pk)
    context = _screening_context(request, screening, form)
    return render(request, "treatment/screening_detail.html", context, status=422)
