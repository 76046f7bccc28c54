import datetime as dt

from django.urls import reverse

from ketaclinic.apps.treatment.models import Session


def test_the_plan_has_six_sessions_on_open_days(course):
    sessions = list(course.sessions.all())
    assert len(sessions) == 6
    days = [s.planned_start.date() for s in sessions]
    assert all(d.weekday() < 5 for d in days)
    assert days[0] == dt.date(2026, 3, 11)


def test_pages_render(client, clinic, course, fixed_clock):
    client.force_login(clinic.prescriber)
    for url in [
        reverse("treatment:screening-new", args=[clinic.alice.pk]),
        reverse("treatment:screening", args=[course.screening_id]),
        reverse("treatment:course", args=[course.pk]),
        reverse("treatment:schedule") + "?date=2026-03-11",
        reverse("patients:detail", args=[clinic.alice.pk]),
        reverse("home"),
        reverse("treatment:session-reschedule", args=[Session.objects.first().pk]),
    ]:
        r = client.get(url)
        assert r.status_code == 200, url
    client.force_login(clinic.director)
    assert client.get(reverse("treatment:rule-settings")).status_code == 200
