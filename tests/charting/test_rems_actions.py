"""The REMS form's actions (one ``chart_action`` each): esketamine sessions only, their
methods only, the director reads but never changes, reads audited, bad input answered."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from tests.charting.factories import NOW, make_session
from tests.charting.rems_world import discharged_with_form, observing_esketamine

from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.charting.choices import RemsStatus
from ketaclinic.apps.charting.models import RemsEnrolment, RemsRecord
from ketaclinic.cli import main

pytestmark = pytest.mark.django_db

READS = ("rems", "rems-pdf")
CHANGES = ("rems-resend", "rems-enrolment", "rems-submitted")


def url(name: str, session) -> str:
    return reverse(f"charting:{name}", args=[session.pk])


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("name", READS + CHANGES)
def test_every_rems_action_is_a_404_on_an_iv_session(client, clinic, fixed_clock, name):
    session = make_session(clinic, route="iv")
    client.force_login(clinic.nurse)
    method = client.get if name in READS else client.post
    assert method(url(name, session)).status_code == 404


@pytest.mark.parametrize(
    ("name", "refused_method"),
    [("rems-pdf", "post"), *((name, "get") for name in CHANGES)],
)
def test_each_rems_action_answers_only_its_method(
    client, clinic, fixed_clock, name, refused_method
):
    session = observing_esketamine(clinic)
    client.force_login(clinic.nurse)
    assert getattr(client, refused_method)(url(name, session)).status_code == 405


@pytest.mark.parametrize("name", CHANGES)
def test_the_director_reads_the_form_but_never_changes_it(client, clinic, fixed_clock, name):
    session = discharged_with_form(clinic)
    client.force_login(clinic.persona("director"))
    assert client.get(url("rems-pdf", session)).status_code == 200
    assert client.post(url(name, session), {"enrolled_on": "2026-03-02"}).status_code == 403


def test_reading_the_form_and_its_pdf_is_audited(client, clinic, fixed_clock):
    session = discharged_with_form(clinic)
    record = RemsRecord.objects.get()
    client.force_login(clinic.nurse)
    assert client.get(url("rems", session)).status_code == 200
    pdf = client.get(url("rems-pdf", session))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    viewed = AuditEvent.objects.get(action="view", object_type="rems_record")
    exported = AuditEvent.objects.get(action="export", object_type="rems_record")
    assert (viewed.object_id, viewed.patient_id) == (str(record.pk), session.patient_id)
    assert exported.detail == {"session": session.pk, "format": "pdf"}


def test_the_pdf_is_a_404_before_the_form_is_saved(client, clinic, fixed_clock):
    session = observing_esketamine(clinic)
    client.force_login(clinic.nurse)
    assert client.get(url("rems-pdf", session)).status_code == 404


def test_an_empty_rems_form_comes_back_on_its_page_with_422(client, clinic, fixed_clock):
    session = observing_esketamine(clinic)
    client.force_login(clinic.nurse)
    response = client.post(url("rems", session), {})
    assert response.status_code == 422
    assert response.templates[0].name == "charting/rems_record.html"
    assert response.context["form"].errors
    assert not RemsRecord.objects.exists()


def test_an_enrolment_without_its_date_is_refused_with_a_message(client, clinic, fixed_clock):
    session = observing_esketamine(clinic, enrolled=False)
    client.force_login(clinic.nurse)
    response = client.post(url("rems-enrolment", session), {"rems_patient_id": "SP1"})
    assert response.status_code == 302
    assert response["Location"] == url("rems", session)
    assert messages_of(response) == ["Give the enrolment date."]
    assert not RemsEnrolment.objects.exists()


def test_marking_submitted_before_the_form_is_saved_says_so(client, clinic, fixed_clock):
    session = observing_esketamine(clinic)
    client.force_login(clinic.nurse)
    response = client.post(url("rems-submitted", session), {"reference": "R-1"})
    assert response.status_code == 302
    assert messages_of(response) == ["Save the REMS record before marking it submitted."]


def test_marking_submitted_twice_is_refused_with_its_reason(client, clinic, fixed_clock):
    session = discharged_with_form(clinic)
    client.force_login(clinic.nurse)
    client.post(url("rems-submitted", session), {"reference": "R-1"})
    again = client.post(url("rems-submitted", session), {"reference": "R-2"})
    assert again.status_code == 302
    # The first answer's message was never shown (no redirect followed): both are queued.
    assert messages_of(again) == [
        "REMS record marked submitted.",
        "The REMS record was marked submitted already.",
    ]
    assert RemsRecord.objects.get().submission_reference == "R-1"


def test_a_failed_form_is_queued_again_and_a_missing_one_is_a_404(client, clinic, fixed_clock):
    session = discharged_with_form(clinic)
    RemsRecord.objects.update(status=RemsStatus.FAILED, attempts=5)
    client.force_login(clinic.nurse)
    response = client.post(url("rems-resend", session))
    assert response.status_code == 302
    assert messages_of(response) == ["The REMS form is queued to send again."]
    record = RemsRecord.objects.get()
    assert (record.status, record.attempts) == (RemsStatus.QUEUED, 0)
    RemsRecord.objects.all().delete()
    assert client.post(url("rems-resend", session)).status_code == 404


def test_the_rems_cron_commands_run_at_the_moment_given(clinic, fixed_clock, capsys):
    session = discharged_with_form(clinic)
    later = (NOW + dt.timedelta(days=6)).isoformat()
    assert main(["rems", "remind", "--now", later]) == 0
    assert capsys.readouterr().out == "1 REMS reminder(s) raised\n"
    assert main(["rems", "send-due", "--json", "--now", later]) == 0
    record = RemsRecord.objects.get(session=session)
    assert json.loads(capsys.readouterr().out) == {
        "sent": [record.pk],
        "retrying": [],
        "failed": [],
    }
    assert main(["rems", "send-due", "--now", "yesterday"]) == 2
    assert "now" in capsys.readouterr().err
