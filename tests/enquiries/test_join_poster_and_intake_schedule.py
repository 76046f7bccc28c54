"""People find the public form (``/join/``, the waitlist page, a poster with a QR code), and
intake appointments booked from the waitlist appear on the schedule."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from tests.enquiries.enquiry_data import make_enquiry

from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.enquiries.choices import EnquiryStatus


def test_join_lists_every_site_without_a_login(client, clinic):
    response = client.get("/join/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/join/riverside/"' in html
    assert 'href="/join/lakeview/"' in html
    assert 'href="tel:988"' in html


def test_the_waitlist_page_links_the_form_and_the_poster(client, clinic, fixed_clock):
    client.force_login(clinic.front_desk)
    html = client.get(reverse("enquiries:list")).content.decode()
    assert "http://localhost:8000/join/riverside/" in html
    assert reverse("enquiries:poster", args=["riverside"]) in html
    assert "/join/lakeview/" not in html  # not a site of hers


def test_the_poster_carries_the_public_address_as_a_qr_code(client, clinic, settings):
    settings.KETACLINIC_PUBLIC_URL = "https://clinic.example.org"
    client.force_login(clinic.front_desk)
    response = client.get(reverse("enquiries:poster", args=["riverside"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "https://clinic.example.org/join/riverside/" in html
    assert "<svg" in html
    assert "<title>QR code for https://clinic.example.org/join/riverside/</title>" in html
    assert client.get(reverse("enquiries:poster", args=["lakeview"])).status_code == 404
    client.force_login(clinic.therapist)
    assert client.get(reverse("enquiries:poster", args=["riverside"])).status_code == 403


def test_an_intake_appointment_appears_on_that_days_schedule(client, clinic, fixed_clock):
    enquiry = make_enquiry(
        clinic.site_a,
        status=EnquiryStatus.SCHEDULED,
        intake_at=dt.datetime(2026, 3, 12, 13, 30, tzinfo=dt.UTC),
    )
    make_enquiry(
        clinic.site_a,
        given_name="Eli",
        status=EnquiryStatus.SCHEDULED,
        intake_at=dt.datetime(2026, 3, 13, 13, 30, tzinfo=dt.UTC),
    )
    url = reverse("treatment:schedule")
    client.force_login(clinic.front_desk)
    html = client.get(url, {"site": clinic.site_a.pk, "date": "2026-03-12"}).content.decode()
    assert "Intake appointments" in html
    assert "09:30" in html  # New York time
    assert "Ortiz, Dana" in html
    assert "Eli" not in html
    assert reverse("enquiries:detail", args=[enquiry.pk]) in html
    assert AuditEvent.objects.filter(
        object_type="enquiry", detail__intake_schedule=[enquiry.pk]
    ).exists()
    # a therapist (no waitlist access) sees that the room is busy, not who is coming
    client.force_login(clinic.therapist)
    html = client.get(url, {"site": clinic.site_a.pk, "date": "2026-03-12"}).content.decode()
    assert "1 intake appointment booked" in html
    assert "Ortiz" not in html
