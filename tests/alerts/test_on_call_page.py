"""The medical director sets who is on call; shifts are typed in the site's local time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from tests.personas import PERSONAS

from ketaclinic.apps.alerts.choices import AlertKind, AlertLevel, PageChannel, PageOutcome
from ketaclinic.apps.alerts.models import AlertPage, OnCallPolicy, OnCallShift, PagerNumber
from ketaclinic.apps.alerts.raising import raise_alert
from ketaclinic.apps.audit.models import AuditEvent


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_medical_director_opens_the_on_call_page(client, clinic, persona):
    user = clinic.persona(persona)
    if user is not None:
        client.force_login(user)
    response = client.get(reverse("alerts:on-call"))
    want = {"anonymous": 302, "director": 200}.get(persona, 403)
    assert response.status_code == want


def test_a_shift_is_typed_in_the_sites_local_time(client, clinic, fixed_clock):
    client.force_login(clinic.director)
    response = client.post(
        reverse("alerts:on-call-shift-add"),
        {
            "site": clinic.site_a.pk,
            "person": clinic.prescriber.pk,
            "starts_at": "2026-03-10T19:00",
            "ends_at": "2026-03-11T07:00",
            "rank": 1,
        },
    )
    assert response.status_code == 302
    shift = OnCallShift.objects.get()
    # New York is on daylight time from 8 March 2026: UTC-4
    assert shift.starts_at == dt.datetime(2026, 3, 10, 23, 0, tzinfo=dt.UTC)
    assert shift.ends_at == dt.datetime(2026, 3, 11, 11, 0, tzinfo=dt.UTC)
    page = client.get(reverse("alerts:on-call")).content.decode()
    assert "Tue 10 Mar 19:00 EDT" in page
    assert AuditEvent.objects.filter(object_type="on_call_shift").exists()


def test_a_shift_that_ends_before_it_starts_is_refused_with_the_field_named(
    client, clinic, fixed_clock
):
    client.force_login(clinic.director)
    response = client.post(
        reverse("alerts:on-call-shift-add"),
        {
            "site": clinic.site_a.pk,
            "person": clinic.prescriber.pk,
            "starts_at": "2026-03-10T19:00",
            "ends_at": "2026-03-10T07:00",
            "rank": 1,
        },
    )
    assert response.status_code == 422
    assert response.context["shift_form"].errors["ends_at"] == ["Must be after the start."]
    assert not OnCallShift.objects.exists()


def test_the_policy_cannot_promise_contact_sooner_than_it_escalates(client, clinic, fixed_clock):
    client.force_login(clinic.director)
    url = reverse("alerts:on-call-policy")
    data = {
        "site": clinic.site_a.pk,
        "escalate_after_minutes": 20,
        "contact_within_minutes": 10,
        "fallback_person": clinic.director.pk,
    }
    response = client.post(url, data)
    assert response.status_code == 422
    assert "contact_within_minutes" in response.context["policy_form"].errors
    response = client.post(url, {**data, "contact_within_minutes": 45})
    assert response.status_code == 302
    policy = OnCallPolicy.objects.get()
    assert (policy.escalate_after_minutes, policy.contact_within_minutes) == (20, 45)
    page = client.get(reverse("alerts:on-call")).content.decode()
    assert "A clinician will contact you within 45 minutes" in page


def test_a_policy_needs_a_fallback(client, clinic, fixed_clock):
    client.force_login(clinic.director)
    response = client.post(
        reverse("alerts:on-call-policy"),
        {"site": clinic.site_a.pk, "escalate_after_minutes": 15, "contact_within_minutes": 60},
    )
    assert response.status_code == 422
    assert response.context["policy_form"].non_field_errors()


def test_a_pager_number_is_saved_and_replaced(client, clinic, fixed_clock):
    client.force_login(clinic.director)
    url = reverse("alerts:on-call-pager")
    for number in ("+1 212 555 0101", "+1 212 555 0199"):
        data = {"site": clinic.site_a.pk, "person": clinic.prescriber.pk, "number": number}
        assert client.post(url, data).status_code == 302
    assert PagerNumber.objects.get().number == "+1 212 555 0199"
    response = client.post(url, {**data, "number": "call me"})
    assert response.status_code == 422


def test_another_sites_director_cannot_touch_this_site(client, clinic, fixed_clock):
    client.force_login(clinic.director)
    response = client.get(reverse("alerts:on-call"), {"site": clinic.site_b.pk})
    assert response.status_code == 404


def test_the_alert_page_shows_each_page_in_site_time(client, clinic, fixed_clock):
    alert = raise_alert(
        site=clinic.site_a,
        patient=clinic.alice,
        kind=AlertKind.SUICIDAL_IDEATION,
        level=AlertLevel.URGENT,
        title="PHQ-9 item 9 answered 2",
    )
    AlertPage.objects.create(
        alert=alert,
        step=0,
        recipient=clinic.prescriber,
        channel=PageChannel.SMS,
        outcome=PageOutcome.FAILED,
        error="the paging webhook answered HTTP 503",
        at=fixed_clock.now(),
        retry_at=fixed_clock.now() + dt.timedelta(minutes=1),
    )
    client.force_login(clinic.director)
    html = client.get(reverse("alerts:detail", args=[alert.pk])).content.decode()
    assert "Tue 10 Mar 10:00:00 EDT" in html
    assert "the paging webhook answered HTTP 503" in html
    assert "retries at 10:01 EDT" in html
    client.force_login(clinic.nurse_b)
    assert client.get(reverse("alerts:detail", args=[alert.pk])).status_code == 404
