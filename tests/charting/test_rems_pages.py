"""The REMS pages: the site dashboard (who sees what, query count pinned), the form page and
its PDF, enrolment before the first dose, and a demo week's forms against their charts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from tests.charting.bedside import ready_to_dose
from tests.charting.factories import NOW
from tests.charting.rems_world import ANSWERS, discharged_with_form, observing_esketamine

from ketaclinic.apps.charting.administering import start_administration
from ketaclinic.apps.charting.models import RemsEnrolment, RemsRecord
from ketaclinic.apps.charting.refusals import ChartRefused
from ketaclinic.apps.charting.rems import core_values, prefill, record_values
from ketaclinic.apps.charting.rems_pdf import form_sections
from ketaclinic.apps.charting.rems_sending import send_due_forms

pytestmark = pytest.mark.django_db


def test_the_first_esketamine_dose_is_refused_before_rems_enrolment(clinic, fixed_clock):
    session = ready_to_dose(clinic, route="esketamine", dose_mg="56")
    RemsEnrolment.objects.filter(patient=session.patient).delete()
    with pytest.raises(ChartRefused, match="not enrolled in the SPRAVATO REMS"):
        start_administration(
            session,
            product="Spravato 28 mg device",
            lot="ESK-1",
            strength_mg=None,
            volume_drawn_ml=None,
            started_at=NOW,
            user=clinic.nurse,
            request=None,
        )


def test_enrolment_is_recorded_on_the_form_page(client, clinic, fixed_clock):
    session = observing_esketamine(clinic, enrolled=False)
    client.force_login(clinic.nurse)
    page = client.get(reverse("charting:rems", args=[session.pk]))
    assert "Not enrolled in the SPRAVATO REMS" in page.content.decode()
    client.post(
        reverse("charting:rems-enrolment", args=[session.pk]),
        {"enrolled_on": "2026-03-02", "rems_patient_id": "SP1234"},
    )
    assert RemsEnrolment.objects.get(patient=clinic.alice).rems_patient_id == "SP1234"


def test_the_pdf_prints_every_box_from_the_stored_form(client, clinic, fixed_clock):
    session = discharged_with_form(clinic)
    record = RemsRecord.objects.get()
    cells = {
        cell["label"]: cell
        for section in form_sections(core_values(record_values(record)))
        for row in section["rows"]
        for cell in row
    }
    assert cells["Lot Number"]["value"] == "ESK-778"
    assert cells["Birthdate (MM/DD/YYYY)"]["value"] == "06/02/1984"
    assert cells["Blood pressure 40 mins post-administration"]["value"] == "156 / 92 mmHg"
    dose = [b["label"] for b in cells["Dose Administered"]["boxes"] if b["ticked"]]
    assert dose == ["56 mg"]
    client.force_login(clinic.director)
    response = client.get(reverse("charting:rems-pdf", args=[session.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_dashboard_sorts_forms_and_pins_its_queries(
    client, clinic, fixed_clock, django_assert_num_queries
):
    discharged_with_form(clinic)
    client.force_login(clinic.director)
    page = client.get(reverse("charting:rems-dashboard"))
    groups = {code: len(items) for code, _, items in page.context["groups"]}
    assert groups == {"overdue": 0, "failed": 0, "due": 1, "sent": 0}
    send_due_forms(NOW)
    # Two fewer than before the one access load (accounts/scoping.py: one UNION, not three).
    with django_assert_num_queries(6):
        page = client.get(reverse("charting:rems-dashboard"))
    groups = {code: len(items) for code, _, items in page.context["groups"]}
    assert groups == {"overdue": 0, "failed": 0, "due": 0, "sent": 1}
    client.force_login(clinic.nurse_b)
    other = client.get(reverse("charting:rems-dashboard"))
    assert b"Rivera" not in other.content


def test_an_unsent_form_is_overdue_after_seven_days(client, clinic, fixed_clock):
    discharged_with_form(clinic, channel="none")
    send_due_forms(NOW)
    fixed_clock.moment = NOW + dt.timedelta(days=7, hours=3)
    client.force_login(clinic.director)
    page = client.get(reverse("charting:rems-dashboard"))
    overdue = page.context["groups"][0][2]
    assert [row.record.last_error for row in overdue] == [
        "no REMS channel is configured for this site"
    ]


def test_a_demo_weeks_forms_match_their_charts_field_for_field():
    from ketaclinic.apps.demo.seeding import seed_demo_clinic

    seed_demo_clinic(patient_count=40, seed=5)
    from ketaclinic.apps.web import clock

    week_ago = clock.now() - dt.timedelta(days=7)
    recent = RemsRecord.objects.filter(
        session__discharged_at__gte=week_ago, attempts__gt=0
    ).select_related("session__patient__site", "session__course", "session__discharge")
    assert recent
    assert {r.status for r in recent} <= {"sent", "failed"}  # nothing left waiting
    assert {r.status for r in recent if r.session.patient.site.slug == "lakeview"} <= {"failed"}
    assert {r.status for r in recent if r.session.patient.site.slug == "riverside"} <= {"sent"}
    for record in recent:
        chart = prefill(record.session)
        answered = {"ready_to_leave_minutes", *ANSWERS}  # the nurse's, not the chart's
        for name, value in chart.items():
            if name in answered:
                continue
            assert getattr(record, name) == value, (record.session_id, name)
        assert (record.sent_at or record.attempt_log.last().attempted_at) - (
            record.session.discharged_at
        ) < dt.timedelta(days=7)
