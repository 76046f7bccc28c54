"""Staff pages: home-program patients, a patient's home program (prescriptions, refills,
calendar with check-in status, pill counts, alerts), writing a prescription, recording a
refill, sending a check-in link and recording a pill count. Access through
``accounts.scoping`` (another site's patient is a 404); every read and write is audited.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ketaclinic.apps.accounts.scoping import get_for_user_or_404, require_permission, restrict
from ketaclinic.apps.alerts.choices import AlertKind
from ketaclinic.apps.alerts.models import Alert
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.listing import record_listing
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.homeprogram.forms import (
    PillCountForm,
    PrescriptionForm,
    RefillForm,
    SendCheckInLinkForm,
    SupplyEventForm,
)
from ketaclinic.apps.homeprogram.links import (
    check_in_url,
    deliver_check_in_link,
    issue_check_in_link,
)
from ketaclinic.apps.homeprogram.models import HomePrescription
from ketaclinic.apps.homeprogram.program import (
    calendar_for,
    first_dose_sessions,
    planned_dates,
    record_pill_count,
    troches_taken,
    write_prescription,
)
from ketaclinic.apps.homeprogram.refills import (
    RefillRefused,
    dispensings_of,
    early_refill_fraction,
    next_refill_on,
    places_for,
    record_refill,
)
from ketaclinic.apps.homeprogram.supply import record_supply_event
from ketaclinic.apps.patients.models import Patient
from ketaclinic.apps.web import clock
from ketaclinic.apps.web.pagination import page_number, paginate
from ketaclinic.clinical.exceptions import InputError

VIEW = "homeprogram.view_homeprescription"
VIEW_CHECK_INS = "homeprogram.view_homecheckin"
PRESCRIBE = "homeprogram.add_homeprescription"
SEND = "homeprogram.add_homecheckinlink"
COUNT = "homeprogram.add_pillcount"
SUPPLY = "homeprogram.add_supplyevent"
HOME_ALERTS = [AlertKind.HOME_CHECK_IN, AlertKind.MISSED_CHECK_IN]


def _prescription_for(user, prescription_id: int, permission: str) -> HomePrescription:
    """One prescription of a patient the user may see with ``permission``, else 404."""
    prescriptions = HomePrescription.objects.select_related(
        "patient", "course__prescriber", "prescriber"
    )
    return get_for_user_or_404(prescriptions, user, VIEW, permission, pk=prescription_id)


@require_permission(VIEW)
def program_list(request: HttpRequest) -> HttpResponse:
    """Patients with a home prescription at the user's sites, newest first."""
    queryset = (
        restrict(HomePrescription, request.user, VIEW)
        .select_related("patient", "course")
        .order_by("-written_on", "-id")
    )
    page = paginate(queryset, page_number(request.GET))
    record_listing(
        request,
        "home_prescription",
        [prescription.patient_id for prescription in page.items],
        page=page.number,
    )
    return render(request, "homeprogram/program_list.html", {"page": page})


@require_permission(VIEW)
def patient_program(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_for_user_or_404(Patient, request.user, "patients.view_patient", pk=patient_id)
    can_see_reports = request.user.has_perm(VIEW_CHECK_INS)
    prescriptions = list(
        HomePrescription.objects.filter(patient=patient)
        .select_related("course__prescriber", "prescriber", "patient__site")
        .prefetch_related(
            "check_ins",
            "pill_counts__counted_by",
            "refills__recorded_by",
            "supply_events__recorded_by",
        )
    )
    # Read once for the page, not per prescription: first doses and the early-refill line.
    firsts = first_dose_sessions([prescription.course_id for prescription in prescriptions])
    early_fraction = early_refill_fraction(patient.site_id)
    programs = []
    for prescription in prescriptions:
        check_ins = list(prescription.check_ins.all())
        first = firsts.get(prescription.course_id)
        refills = list(prescription.refills.all())
        programs.append(
            {
                "prescription": prescription,
                "first_dose": first,
                "calendar": calendar_for(prescription, check_ins, first),
                "pill_counts": list(prescription.pill_counts.all()),
                "refills": refills,
                "supply_events": list(prescription.supply_events.all()),
                "dispensed": sum(dispensings_of(prescription, refills)),
                "next_refill_on": next_refill_on(
                    prescription, refills, early_fraction=early_fraction
                ),
                "taken": sum(
                    (c.amount_mg / prescription.strength_mg for c in check_ins if c.dose_taken),
                    start=0,
                ),
            }
        )
    # Alert titles carry what the patient reported: only for those who read check-ins.
    alerts = []
    if can_see_reports and request.user.has_perm("alerts.view_alert"):
        alerts = list(
            Alert.objects.filter(patient=patient, kind__in=HOME_ALERTS).order_by("-raised_at")[:20]
        )
    record_event(
        request,
        Action.VIEW,
        object_type="home_prescription",
        patient=patient,
        detail={"check_ins": can_see_reports},
    )
    context = {
        "patient": patient,
        "programs": programs,
        "alerts": alerts,
        "can_see_reports": can_see_reports,
        "can_prescribe": request.user.has_perm(PRESCRIBE),
        "can_send": request.user.has_perm(SEND),
        "can_count": request.user.has_perm(COUNT),
        "can_record_supply": request.user.has_perm(SUPPLY),
        "can_refill": bool(places_for(request.user)),
    }
    return render(request, "homeprogram/patient_program.html", context)


@require_permission(VIEW, PRESCRIBE)
@require_http_methods(["GET", "POST"])
def prescribe(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_for_user_or_404(
        Patient, request.user, "patients.view_patient", PRESCRIBE, pk=patient_id
    )
    form = PrescriptionForm(request.POST or None, patient=patient)
    if request.method == "POST" and form.is_valid():
        write_prescription(form, patient=patient, prescriber=request.user, request=request)
        messages.success(request, "Home prescription recorded.")
        return redirect("homeprogram:patient", patient_id=patient.pk)
    status = 422 if form.errors else 200
    context = {"patient": patient, "form": form}
    return render(request, "homeprogram/prescribe.html", context, status=status)


@require_permission(VIEW, SEND)
@require_http_methods(["GET", "POST"])
def send_link(request: HttpRequest, prescription_id: int) -> HttpResponse:
    prescription = _prescription_for(request.user, prescription_id, SEND)
    patient = prescription.patient
    dates = list(planned_dates(prescription))
    form = SendCheckInLinkForm(request.POST or None, patient=patient, dates=dates)
    if request.method == "POST" and form.is_valid():
        try:
            issued = issue_check_in_link(
                prescription=prescription,
                planned_on=form.cleaned_data["planned_on"],
                created_by=request.user,
                sent_via=form.cleaned_data["sent_via"],
                request=request,
            )
        except InputError as error:
            form.add_error("planned_on", error.message)
        else:
            base = request.build_absolute_uri("/")
            problem = deliver_check_in_link(issued, base_url=base, request=request)
            context = {
                "patient": patient,
                "link": issued.link,
                "url": check_in_url(issued.token, base),
                "problem": problem,
            }
            response = render(request, "homeprogram/link_created.html", context)
            response["Cache-Control"] = "no-store"
            return response
    context = {"patient": patient, "prescription": prescription, "form": form, "dates": dates}
    status = 422 if form.errors else 200
    return render(request, "homeprogram/send_link.html", context, status=status)


@require_permission(VIEW, COUNT)
@require_http_methods(["GET", "POST"])
def pill_count(request: HttpRequest, prescription_id: int) -> HttpResponse:
    prescription = _prescription_for(request.user, prescription_id, COUNT)
    patient = prescription.patient
    form = PillCountForm(
        request.POST or None, initial={"counted_on": clock.today(patient.site.timezone)}
    )
    if request.method == "POST" and form.is_valid():
        count = record_pill_count(
            prescription=prescription,
            counted=form.cleaned_data["counted"],
            counted_on=form.cleaned_data["counted_on"],
            note=form.cleaned_data["note"],
            counted_by=request.user,
            request=request,
        )
        if count.discrepancy:
            messages.warning(
                request,
                f"Count recorded: {count.counted} counted, {count.expected_on_hand} expected "
                f"(discrepancy {count.discrepancy}). The prescriber has been alerted.",
            )
        else:
            messages.success(request, "Count recorded: it matches the check-ins.")
        return redirect("homeprogram:patient", patient_id=patient.pk)
    context = {
        "patient": patient,
        "prescription": prescription,
        "form": form,
        "taken": troches_taken(prescription),
        "dispensed": sum(dispensings_of(prescription)),
    }
    status = 422 if form.errors else 200
    return render(request, "homeprogram/pill_count.html", context, status=status)


@require_permission(VIEW)
@require_http_methods(["GET", "POST"])
def refill(request: HttpRequest, prescription_id: int) -> HttpResponse:
    """Record a refill: prescribers and the director (pharmacy or in clinic), nurses (in
    clinic only); the core refuses one past the count, the six months or too early."""
    if not places_for(request.user):
        raise PermissionDenied
    prescription = _prescription_for(request.user, prescription_id, VIEW)
    patient = prescription.patient
    form = RefillForm(
        request.POST or None,
        prescription=prescription,
        user=request.user,
        initial={"dispensed_on": clock.today(patient.site.timezone)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            refill = record_refill(
                prescription, user=request.user, request=request, **form.cleaned_data
            )
        except RefillRefused as refused:
            for problem in refused.problems:
                field = problem.field if problem.field in form.fields else None
                form.add_error(field, problem.message)
        else:
            where = refill.get_dispensed_at_display().lower()
            messages.success(request, f"Refill of {refill.quantity} troches recorded ({where}).")
            return redirect("homeprogram:patient", patient_id=patient.pk)
    refills = list(prescription.refills.select_related("recorded_by"))
    context = {
        "patient": patient,
        "prescription": prescription,
        "form": form,
        "refills": refills,
        "next_refill_on": next_refill_on(prescription),
    }
    status = 422 if form.errors else 200
    return render(request, "homeprogram/refill.html", context, status=status)


@require_permission(SUPPLY)
@require_http_methods(["GET", "POST"])
def supply_event(request: HttpRequest, prescription_id: int) -> HttpResponse:
    """Record a misuse signal: an early-refill request, a shortfall found outside a count, a
    request to raise the dose or frequency, or unused troches not returned."""
    prescription = _prescription_for(request.user, prescription_id, SUPPLY)
    patient = prescription.patient
    form = SupplyEventForm(
        request.POST or None, initial={"occurred_on": clock.today(patient.site.timezone)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            event = record_supply_event(
                prescription=prescription,
                kind=form.cleaned_data["kind"],
                occurred_on=form.cleaned_data["occurred_on"],
                note=form.cleaned_data["note"],
                recorded_by=request.user,
                request=request,
            )
        except InputError as refused:
            form.add_error(refused.field, refused.message)
        else:
            messages.success(request, f"Recorded: {event.get_kind_display().lower()}.")
            return redirect("homeprogram:patient", patient_id=patient.pk)
    context = {"patient": patient, "prescription": prescription, "form": form}
    status = 422 if form.errors else 200
    return render(request, "homeprogram/supply_event.html", context, status=status)
