"""REMS forms that cannot be forgotten: complete before the session closes, matching the
chart, sent through the site's channel (a real local HTTP server), retried, failed loudly."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from tests.charting.factories import NOW
from tests.charting.rems_world import (
    ANSWERS,
    close,
    observing_esketamine,
    rems_setting,
    staff_details,
)

from ketaclinic.apps.alerts.models import Alert
from ketaclinic.apps.charting.models import Discharge, RemsRecord, RemsSubmissionAttempt
from ketaclinic.apps.charting.rems import RemsIncomplete
from ketaclinic.apps.charting.rems_receiver import Receiver, start_receiver
from ketaclinic.apps.charting.rems_sending import MAX_ATTEMPTS, send_due_forms
from ketaclinic.apps.treatment.models import Session

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    state = Receiver(token="s3cret-token")
    server, url = start_receiver(state)
    yield state, url
    server.shutdown()
    server.server_close()


def test_a_session_cannot_close_with_a_missing_rems_field(clinic, fixed_clock):
    rems_setting(clinic.site_a)  # the nurse has no e-mail yet: the form's clinician e-mail
    session = observing_esketamine(clinic)
    answers = {**ANSWERS, "opioids": None}
    with pytest.raises(RemsIncomplete) as refused:
        close(session, clinic.nurse, answers)
    assert [p.field for p in refused.value.problems] == [
        "opioids",
        "clinician_last_name",
        "clinician_phone",
        "clinician_email",
    ]
    session.refresh_from_db()
    assert session.status == "observing"
    assert not Discharge.objects.exists()
    assert not RemsRecord.objects.exists()


def test_the_closed_sessions_form_matches_the_chart_field_for_field(clinic, fixed_clock):
    rems_setting(clinic.site_a)
    staff_details(clinic)
    session = observing_esketamine(clinic)
    close(session, clinic.nurse)
    record = RemsRecord.objects.get(session=session)
    expected = {
        "patient_first_name": "Alice",
        "patient_last_name": "Rivera",
        "patient_birth_date": dt.date(1984, 6, 2),
        "patient_sex": "female",
        "first_treatment": True,
        "patient_enrolled": True,
        "benzodiazepines": False,
        "non_benzodiazepine_hypnotics": False,
        "psychostimulants": True,
        "maois": False,
        "opioids": False,
        "clinician_first_name": "Nadia",
        "clinician_last_name": "Nurse",
        "clinician_phone": "+1 413 555 0100",
        "clinician_email": "nadia@riverside.example",
        "setting_name": "Riverside Ketamine Clinic",
        "setting_address_1": "12 River Road",
        "setting_address_2": "Suite 3",
        "setting_city": "Springfield",
        "setting_state": "MA",
        "setting_zip": "01101",
        "treatment_date": dt.date(2026, 3, 10),  # 11:50 UTC is 07:50 EDT
        "dose_mg": Decimal("56.0"),
        "lot": "ESK-778",
        "monitoring_minutes": 130,
        "ready_to_leave_minutes": 75,  # first MOAA/S 5 after the MOAA/S 3
        "vitals_ok_before": True,
        "vitals_ok_at_completion": True,
        "bp_before_systolic": 128,
        "bp_before_diastolic": 80,
        "bp_40min_systolic": 156,
        "bp_40min_diastolic": 92,
        "bp_discharge_systolic": 132,
        "bp_discharge_diastolic": 82,
        "sedation": True,
        "dissociation": False,
        "respiratory_status": "normal",
        "pulse_oximetry": True,
        "serious_adverse_event": False,
    }
    assert {name: getattr(record, name) for name in expected} == expected
    assert record.status == "queued"
    assert record.next_attempt_at == NOW
    assert record.form_version.startswith("SPRAVATO REMS Patient Monitoring Form")


def test_the_next_form_is_prefilled_from_the_last_one(clinic, fixed_clock):
    rems_setting(clinic.site_a)
    staff_details(clinic)
    first = observing_esketamine(clinic)
    close(first, clinic.nurse)
    Session.objects.filter(pk=first.pk).update(planned_start=NOW - dt.timedelta(days=3))
    second = observing_esketamine(clinic, number=2, course=first.course)
    blank = dict.fromkeys(ANSWERS)
    close(second, clinic.nurse, blank)
    record = RemsRecord.objects.get(session=second)
    assert record.psychostimulants is True  # carried from the last form
    assert record.first_treatment is False


def test_the_discharge_page_names_each_missing_field(client, clinic, fixed_clock):
    rems_setting(clinic.site_a)
    staff_details(clinic)
    session = observing_esketamine(clinic)
    client.force_login(clinic.nurse)
    response = client.post(
        reverse("charting:discharge", args=[session.pk]),
        {
            "dissociation_resolved": "on",
            "escort_confirmed": "on",
            "instruction_given": "on",
            "benzodiazepines": "no",
            "non_benzodiazepine_hypnotics": "no",
            "psychostimulants": "yes",
            "maois": "no",
            "opioids": "",
        },
    )
    assert response.status_code == 422
    form = response.context["discharge_form"]
    assert "opioids" in form.errors
    assert "Opioids: required on the REMS form" in response.content.decode()


def test_the_api_answers_422_naming_every_missing_field(client, clinic, fixed_clock):
    rems_setting(clinic.site_a)
    session = observing_esketamine(clinic)
    client.force_login(clinic.nurse)
    url = f"/api/v1/sessions/{session.pk}/discharge"
    body = {
        "dissociation_resolved": True,
        "escort_confirmed": True,
        "instruction_given": True,
        "rems": {"benzodiazepines": False, "maois": False},
    }
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    fields = [e["field"] for e in response.json()["errors"]]
    assert fields == [
        "non_benzodiazepine_hypnotics",
        "psychostimulants",
        "opioids",
        "clinician_last_name",
        "clinician_phone",
        "clinician_email",
    ]
    staff_details(clinic)
    body["rems"] = {k: v for k, v in ANSWERS.items() if v is not None}
    done = client.post(url, json.dumps(body), content_type="application/json")
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "discharged"


def test_a_queued_form_is_sent_to_the_fax_api_with_its_pdf(clinic, fixed_clock, receiver):
    state, url = receiver
    setting = rems_setting(clinic.site_a, channel="fax_api", endpoint_url=url)
    setting.set_secret("s3cret-token")
    setting.save()
    assert "s3cret" not in setting.secret_encrypted  # encrypted at rest
    staff_details(clinic)
    session = observing_esketamine(clinic)
    close(session, clinic.nurse)
    report = send_due_forms(NOW)
    record = RemsRecord.objects.get(session=session)
    assert report.sent == [record.pk]
    assert record.status == "sent"
    assert record.sent_at == NOW
    assert record.submission_reference == "FAX-00001"
    assert bytes(record.document_pdf).startswith(b"%PDF")
    assert state.pdfs() == [bytes(record.document_pdf)]
    assert state.received[0]["to"] == "1-877-778-0091"
    attempt = RemsSubmissionAttempt.objects.get()
    assert (attempt.succeeded, attempt.reference) == (True, "FAX-00001")
    assert send_due_forms(NOW + dt.timedelta(hours=1)).sent == []  # never twice


def test_a_failing_provider_is_retried_with_backoff_until_it_takes_the_form(
    clinic, fixed_clock, receiver
):
    state, url = receiver
    state.fail_first = 2
    setting = rems_setting(clinic.site_a, channel="email_to_fax", endpoint_url=url)
    setting.email_domain = "fax.example"
    setting.set_secret("s3cret-token")
    setting.save()
    staff_details(clinic)
    close(observing_esketamine(clinic), clinic.nurse)
    record = RemsRecord.objects.get()
    assert send_due_forms(NOW).retrying == [record.pk]
    record.refresh_from_db()
    assert record.next_attempt_at == NOW + dt.timedelta(minutes=10)
    assert "HTTP 503" in record.last_error
    assert send_due_forms(NOW + dt.timedelta(minutes=9)).retrying == []  # not yet due
    assert send_due_forms(NOW + dt.timedelta(minutes=10)).retrying == [record.pk]
    record.refresh_from_db()
    assert record.next_attempt_at == NOW + dt.timedelta(minutes=30)  # then 20 min
    assert send_due_forms(NOW + dt.timedelta(minutes=30)).sent == [record.pk]
    record.refresh_from_db()
    assert (record.status, record.attempts) == ("sent", 3)
    assert state.received[0]["to"] == "18777780091@fax.example"
    assert list(RemsSubmissionAttempt.objects.values_list("succeeded", "http_status")) == [
        (False, 503),
        (False, 503),
        (True, None),
    ]


def test_a_wrong_secret_fails_every_attempt_then_the_form_is_failed_and_loud(
    clinic, fixed_clock, receiver
):
    _, url = receiver
    setting = rems_setting(clinic.site_a, channel="fax_api", endpoint_url=url)
    setting.set_secret("wrong")
    setting.save()
    staff_details(clinic)
    close(observing_esketamine(clinic), clinic.nurse)
    moment = NOW
    for _ in range(MAX_ATTEMPTS):
        send_due_forms(moment)
        moment += dt.timedelta(hours=3)
    record = RemsRecord.objects.get()
    assert (record.status, record.attempts) == ("failed", MAX_ATTEMPTS)
    assert "HTTP 401" in record.last_error
    alert = Alert.objects.get(source_type="rems_failed")
    assert alert.level == "urgent"
    assert "could not be sent" in alert.title


def test_a_site_without_a_channel_fails_visibly(clinic, fixed_clock):
    rems_setting(clinic.site_a, channel="none")
    staff_details(clinic)
    close(observing_esketamine(clinic), clinic.nurse)
    send_due_forms(NOW)
    record = RemsRecord.objects.get()
    assert record.last_error == "no REMS channel is configured for this site"
    assert record.status == "queued"  # still retried: someone may configure it today
