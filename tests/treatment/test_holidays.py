"""Holidays on the settings page: who may keep them, audit, and what planning does with them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.treatment.models import Holiday
from ketaclinic.apps.treatment.planning import PlanChoice, plan_course


@pytest.fixture
def director(client, clinic, fixed_clock):
    client.force_login(clinic.director)
    return client


def add(client, site, day="2026-03-13", name="Staff day"):
    url = reverse("treatment:holiday-add") + f"?site={site.pk}"
    return client.post(url, {"date": day, "name": name}, follow=True)


def test_the_director_adds_a_holiday_and_is_told_of_sessions_already_on_it(
    director, clinic, course
):
    page = add(director, clinic.site_a).content.decode()
    assert "closed on Fri 2026-03-13 for new plans" in page
    assert "1 planned session(s) fall on that day" in page  # session 2 of the course
    holiday = Holiday.objects.get()
    event = AuditEvent.objects.get(action="create", object_type="holiday")
    assert event.detail == {"date": "2026-03-13", "name": "Staff day"}
    assert event.site_id == clinic.site_a.pk
    assert "already a holiday" in add(director, clinic.site_a, name="Again").content.decode()
    assert Holiday.objects.get().name == "Staff day"
    assert course.sessions.get(number=2).planned_start.date() == holiday.date  # not moved


def test_new_plans_avoid_the_holiday_and_removing_it_opens_the_day(
    director, clinic, signed_screening
):
    add(director, clinic.site_a)
    choice = PlanChoice("iv-depression-induction", dt.date(2026, 3, 11))
    course = plan_course(signed_screening, choice, user=clinic.prescriber, request=None).course
    assert dt.date(2026, 3, 13) not in {s.planned_start.date() for s in course.sessions.all()}
    holiday = Holiday.objects.get()
    director.post(reverse("treatment:holiday-delete", args=[holiday.pk]))
    assert not Holiday.objects.exists()
    assert AuditEvent.objects.filter(action="delete", object_type="holiday").count() == 1


def test_a_nurse_may_not_keep_holidays(client, clinic):
    client.force_login(clinic.nurse)
    response = add(client, clinic.site_a)
    assert response.status_code == 403
    assert not Holiday.objects.exists()


def test_a_director_of_another_site_gets_not_found(client, clinic):
    clinic.director.sites.set([clinic.site_b])
    client.force_login(clinic.director)
    assert add(client, clinic.site_a).status_code == 404
    holiday = Holiday.objects.create(site=clinic.site_a, date=dt.date(2026, 3, 13), name="X")
    response = client.post(reverse("treatment:holiday-delete", args=[holiday.pk]))
    assert response.status_code == 404
    assert Holiday.objects.exists()
