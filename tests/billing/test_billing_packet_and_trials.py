"""The prior-authorization packet from the chart, and the antidepressant trials behind it."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess  # nosec B404 - pdftotext on a PDF the test got
from decimal import Decimal

import pytest
from django.urls import reverse
from tests.billing.factories import authorize, make_course

from ketaclinic.apps.assessments.recording import record_assessment
from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.billing.packets import build_packet
from ketaclinic.apps.patients.models import AntidepressantTrial
from ketaclinic.clinical.scales import get_scale

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def phq9(clinic, total_items: int, taken_at: dt.datetime):
    """A PHQ-9 whose first ``total_items`` items are 3 (total 3 x n)."""
    keys = [item.key for item in get_scale("phq9").items]
    answers = {key: (3 if i < total_items else 0) for i, key in enumerate(keys)}
    return record_assessment(
        patient=clinic.alice,
        instrument="phq9",
        answers=answers,
        taken_at=taken_at,
        entered_by=clinic.nurse,
    )


def trial(clinic, drug: str, dose: str, weeks: int, response: str):
    return AntidepressantTrial.objects.create(
        patient=clinic.alice,
        drug=drug,
        daily_dose_mg=Decimal(dose),
        duration_weeks=weeks,
        response=response,
        recorded_by=clinic.prescriber,
        recorded_at=dt.datetime(2026, 2, 1, tzinfo=UTC),
    )


def chart(clinic):
    course = make_course(clinic)
    authorization = authorize(course, number="PA-PACKET")
    trial(clinic, "Sertraline", "200", 12, "no_response")
    trial(clinic, "Venlafaxine XR", "225", 10, "partial")
    trial(clinic, "Bupropion XL", "300", 3, "not_tolerated")
    phq9(clinic, 7, dt.datetime(2026, 2, 20, 15, tzinfo=UTC))  # 21
    phq9(clinic, 4, dt.datetime(2026, 3, 9, 15, tzinfo=UTC))  # 12
    return course, authorization


def test_the_packet_holds_diagnosis_trials_scores_and_plan_from_the_chart(clinic):
    course, authorization = chart(clinic)
    packet = build_packet(course, authorization)
    assert packet.diagnoses[0][0] == "F33.2"
    assert [t.drug for t in packet.trials] == ["Sertraline", "Venlafaxine XR", "Bupropion XL"]
    assert packet.failed_trials == 3  # no response, partial, not tolerated
    assert packet.instrument == "phq9"
    assert (packet.baseline.total, packet.recent.total) == (21, 12)


def test_an_indication_without_a_code_says_so_in_the_packet(clinic):
    course = make_course(clinic, indication="other")
    packet = build_packet(course, authorize(course))
    assert packet.diagnoses == ()
    assert "record the diagnosis" in packet.diagnosis_problem


def test_the_packet_pdf_is_printed_and_audited(client, clinic):
    _course, authorization = chart(clinic)
    client.force_login(clinic.prescriber)
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = client.get(reverse("billing:packet", args=[authorization.pk]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    event = AuditEvent.objects.get(id__gt=last, object_type="prior_authorization_packet")
    assert event.action == "export"
    if shutil.which("pdftotext"):
        text = subprocess.run(  # nosec B603 B607
            ["pdftotext", "-layout", "-", "-"],
            input=response.content,
            capture_output=True,
            check=True,
        ).stdout.decode()
        for shown in ("F33.2", "Sertraline", "200 mg", "12 weeks", "No response", "21", "12"):
            assert shown in text


def test_a_therapist_cannot_print_the_packet(client, clinic):
    _course, authorization = chart(clinic)
    client.force_login(clinic.therapist)
    assert client.get(reverse("billing:packet", args=[authorization.pk])).status_code == 403


def test_a_prescriber_records_a_trial_with_field_errors_first(client, clinic):
    client.force_login(clinic.prescriber)
    url = reverse("billing:trials", args=[clinic.alice.pk])
    bad = {"drug": "Escitalopram", "daily_dose_mg": "0", "duration_weeks": "", "response": "x"}
    response = client.post(url, bad)
    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"daily_dose_mg", "duration_weeks", "response"}
    good = {**bad, "daily_dose_mg": "20", "duration_weeks": "8", "response": "partial"}
    assert client.post(url, good).status_code == 302
    assert clinic.alice.antidepressant_trials.get().drug == "Escitalopram"
    assert "Escitalopram" in client.get(url).content.decode()


def test_a_nurse_reads_trials_but_cannot_add_one(client, clinic):
    client.force_login(clinic.nurse)
    url = reverse("billing:trials", args=[clinic.alice.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"drug": "X"}).status_code == 403


def test_a_staff_npi_with_a_wrong_check_digit_is_refused(clinic):
    from django.core.exceptions import ValidationError

    clinic.prescriber.npi = "1234567890"
    with pytest.raises(ValidationError) as error:
        clinic.prescriber.full_clean()
    assert "npi" in error.value.message_dict
    clinic.prescriber.npi = "1234567893"
    clinic.prescriber.full_clean()


def test_the_administrator_edits_a_site_s_fees_and_codes_in_settings(client, clinic):
    from ketaclinic.apps.billing.models import CodeMapping, FeeScheduleEntry

    clinic.admin.is_staff = True
    clinic.admin.save(update_fields=["is_staff"])
    client.force_login(clinic.admin)
    assert client.get("/admin/billing/feescheduleentry/").status_code == 200
    response = client.post(
        "/admin/billing/feescheduleentry/add/",
        {"site": clinic.site_a.pk, "code": "J0013", "description": "", "fee_per_unit": "14.50"},
    )
    assert response.status_code == 302
    assert FeeScheduleEntry.objects.get(site=clinic.site_a, code="J0013").fee_per_unit == Decimal(
        "14.50"
    )
    response = client.post(
        "/admin/billing/codemapping/add/",
        {"site": clinic.site_a.pk, "service": "office_visit_established", "code": "99214"},
    )
    assert response.status_code == 302
    assert CodeMapping.objects.get(site=clinic.site_a).code == "99214"
