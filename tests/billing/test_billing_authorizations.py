"""Prior authorizations: the director's page of those about to lapse (flat query count),
the cron's alerts on expiry and over-use, and scheduling's warning outside one."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from tests.billing.factories import authorize, given, make_course, session
from tests.personas import make_patient

from ketaclinic.apps.alerts.choices import AlertKind
from ketaclinic.apps.alerts.models import Alert
from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.billing.authorizations import check_authorizations
from ketaclinic.apps.billing.choices import AuthorizationStatus
from ketaclinic.apps.billing.models import BillingProfile
from ketaclinic.apps.treatment.course_changes import reschedule_session
from ketaclinic.cli import main

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def lapsing_world(clinic):
    """At site A: one ending in 5 days; one with 2 of 3 sessions used; one comfortable
    (ends in June, 1 of 8 used). At site B: one ending tomorrow."""
    ending = authorize(make_course(clinic), ends_on=dt.date(2026, 3, 15), number="PA-END")
    cara = make_patient(clinic.site_a, "MRN-A2", "Cara", "Okafor", dt.date(1979, 2, 3))
    used_up = make_course(clinic, patient=cara)
    for n in (1, 2):
        given(clinic, used_up, n, NOW - (4 - n) * DAY)
    near = authorize(used_up, sessions=3, number="PA-COUNT")
    dev = make_patient(clinic.site_a, "MRN-A3", "Dev", "Patel", dt.date(1990, 5, 6))
    fine_course = make_course(clinic, route="iv", patient=dev)
    given(clinic, fine_course, 1, NOW - 2 * DAY, drug_minutes=40)
    fine = authorize(fine_course, number="PA-FINE")
    elsewhere = authorize(
        make_course(clinic, patient=clinic.bob), ends_on=dt.date(2026, 3, 11), number="PA-B"
    )
    return ending, near, fine, elsewhere


def test_the_director_sees_every_authorization_about_to_lapse_and_only_those(client, clinic):
    lapsing_world(clinic)
    client.force_login(clinic.director)
    response = client.get(reverse("billing:lapsing"))
    assert response.status_code == 200
    text = response.content.decode()
    for shown in ("PA-END", "5 days left", "PA-COUNT", "2 of 3", "1 session left"):
        assert shown in text
    assert "PA-FINE" not in text
    assert "PA-B<" not in text  # site B's
    assert "does not send claims electronically" in text


def test_the_lapsing_page_is_one_audit_event_naming_the_patients_shown(client, clinic):
    ending, near, _fine, _b = lapsing_world(clinic)
    client.force_login(clinic.director)
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    client.get(reverse("billing:lapsing"))
    events = AuditEvent.objects.filter(id__gt=last, object_type="prior_authorization")
    assert [sorted(e.detail["patients"]) for e in events] == [
        sorted([ending.course.patient_id, near.course.patient_id])
    ]


def test_the_lapsing_page_s_query_count_does_not_grow_with_the_authorizations(client, clinic):
    client.force_login(clinic.director)
    authorize(make_course(clinic), ends_on=dt.date(2026, 3, 12), number="PA-0")
    client.get(reverse("billing:lapsing"))  # warm the session and permission caches
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("billing:lapsing"))
    for n in range(1, 6):
        patient = make_patient(clinic.site_a, f"MRN-N{n}", "Pat", f"Number{n}", dt.date(1980, 1, n))
        course = make_course(clinic, patient=patient)
        given(clinic, course, 1, NOW - DAY)
        authorize(course, ends_on=dt.date(2026, 3, 12), number=f"PA-{n}")
    with CaptureQueriesContext(connection) as six:
        response = client.get(reverse("billing:lapsing"))
    assert response.content.decode().count("PA-") >= 6
    assert len(six) == len(one), [q["sql"] for q in six.captured_queries]


@pytest.mark.parametrize("persona", ["nurse", "therapist", "prescriber", "admin"])
def test_those_without_the_lapsing_view_are_refused(client, clinic, persona):
    client.force_login(getattr(clinic, persona))
    assert client.get(reverse("billing:lapsing")).status_code == 403


def test_front_desk_sees_the_lapsing_page_too(client, clinic):
    client.force_login(clinic.front_desk)
    assert client.get(reverse("billing:lapsing")).status_code == 200


def test_the_cron_alerts_once_before_expiry_and_once_near_the_session_count(clinic):
    ending, near, _fine, elsewhere = lapsing_world(clinic)
    run = check_authorizations(NOW)
    assert (run.expired, run.date_alerts, run.count_alerts) == (0, 2, 1)
    raised = sorted(
        (a.kind, a.source_id) for a in Alert.objects.filter(kind__startswith="authorization")
    )
    assert raised == sorted(
        [
            (AlertKind.AUTHORIZATION_LAPSING, str(ending.pk)),
            (AlertKind.AUTHORIZATION_LAPSING, str(elsewhere.pk)),
            (AlertKind.AUTHORIZATION_SESSIONS, str(near.pk)),
        ]
    )
    again = check_authorizations(NOW + dt.timedelta(hours=1))
    assert (again.date_alerts, again.count_alerts) == (0, 0)


def test_the_cron_expires_an_approval_past_its_end_date(clinic):
    ended = authorize(make_course(clinic), ends_on=dt.date(2026, 3, 9), number="PA-OLD")
    run = check_authorizations(NOW)
    ended.refresh_from_db()
    assert ended.status == AuthorizationStatus.EXPIRED
    assert run.expired == 1


def test_the_cron_command_prints_json_and_refuses_a_bad_moment(clinic, capsys):
    authorize(make_course(clinic), ends_on=dt.date(2026, 3, 12))
    argv = ["billing", "check-authorizations", "--json", "--now", "2026-03-10T14:00:00+00:00"]
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out) == {
        "expired": 0,
        "date_alerts": 1,
        "count_alerts": 0,
    }
    assert main(["billing", "check-authorizations", "--now", "yesterday"]) == 2
    assert "now" in capsys.readouterr().err


def test_moving_a_session_past_the_authorization_s_end_warns_but_moves(clinic):
    course = make_course(clinic)
    authorize(course, ends_on=dt.date(2026, 3, 31), number="PA-MOVE")
    planned = session(course, 1, dt.datetime(2026, 3, 24, 14, 0, tzinfo=dt.UTC))
    moved, notes = reschedule_session(
        planned,
        day=dt.date(2026, 4, 2),
        at=dt.time(10, 0),
        chair=None,
        user=clinic.prescriber,
        request=None,
    )
    assert moved.planned_start.date() == dt.date(2026, 4, 2)
    assert any("outside the prior authorization" in n and "PA-MOVE" in n for n in notes)


def test_moving_a_session_inside_the_authorization_says_nothing_about_it(clinic):
    course = make_course(clinic)
    authorize(course, number="PA-IN")
    planned = session(course, 1, dt.datetime(2026, 3, 24, 14, 0, tzinfo=dt.UTC))
    _moved, notes = reschedule_session(
        planned,
        day=dt.date(2026, 3, 26),
        at=dt.time(10, 0),
        chair=None,
        user=clinic.prescriber,
        request=None,
    )
    assert not any("authoriz" in n for n in notes)


def test_a_session_beyond_the_authorised_count_is_flagged(clinic):
    course = make_course(clinic)
    authorize(course, sessions=1, number="PA-ONE")
    session(course, 1, dt.datetime(2026, 3, 17, 14, 0, tzinfo=dt.UTC))
    second = session(course, 2, dt.datetime(2026, 3, 24, 14, 0, tzinfo=dt.UTC))
    _moved, notes = reschedule_session(
        second,
        day=dt.date(2026, 3, 25),
        at=dt.time(10, 0),
        chair=None,
        user=clinic.prescriber,
        request=None,
    )
    assert any("beyond the 1 sessions authorised" in n for n in notes)


def test_recording_an_authorization_needs_its_number_when_approved(client, clinic):
    course = make_course(clinic)
    client.force_login(clinic.front_desk)
    url = reverse("billing:course-authorizations", args=[course.pk])
    data = {
        "payer_name": "Aetna",
        "payer_kind": "commercial",
        "member_number": "W1",
        "authorization_number": "",
        "status": "approved",
        "authorised_sessions": 8,
        "starts_on": "2026-03-01",
        "ends_on": "2026-02-01",
    }
    response = client.post(url, data)
    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"authorization_number", "ends_on"}
    data.update(authorization_number="PA-9", ends_on="2026-06-01")
    assert client.post(url, data).status_code == 302
    assert course.authorizations.get().authorization_number == "PA-9"


def test_a_nurse_reads_no_authorization_and_site_b_finds_none(client, clinic):
    auth = authorize(make_course(clinic))
    client.force_login(clinic.nurse)
    assert client.get(reverse("billing:authorization", args=[auth.pk])).status_code == 403
    client.force_login(clinic.nurse_b)
    assert client.get(reverse("billing:authorization", args=[auth.pk])).status_code in (403, 404)


def test_the_api_lists_the_lapsing_authorizations_with_their_reasons(client, clinic):
    lapsing_world(clinic)
    client.force_login(clinic.director)
    rows = client.get("/api/v1/billing/authorizations/lapsing").json()["items"]
    assert [
        (r["authorization_number"], r["ends_soon"], r["sessions_nearly_used"]) for r in rows
    ] == [
        ("PA-END", True, False),
        ("PA-COUNT", False, True),
    ]
    client.force_login(clinic.nurse)
    assert client.get("/api/v1/billing/authorizations/lapsing").status_code == 403


def test_the_site_s_own_warnings_choose_the_lapses_and_the_pages_hold_only_lapses(client, clinic):
    """The lapse test runs in the database with the site's billing profile, and the list is
    paged there: a page holds the next lapses, never comfortable rows, and no fewer."""
    lapsing_world(clinic)
    client.force_login(clinic.director)
    profile = BillingProfile.objects.create(
        site=clinic.site_a, billing_name="A", lapse_warning_days=3, sessions_left_warning=1
    )

    def numbers(**paging):
        body = client.get("/api/v1/billing/authorizations/lapsing", paging).json()
        return [r["authorization_number"] for r in body["items"]], body["has_next"]

    # Site A warns 3 days ahead and at one session left: only the nearly used one is due.
    assert numbers() == (["PA-COUNT"], False)
    # Site A warns 120 days ahead: all three lapse by date, soonest first, two a page.
    profile.lapse_warning_days = 120
    profile.save()
    assert numbers(page_size=2) == (["PA-END", "PA-COUNT"], True)
    assert numbers(page_size=2, page=2) == (["PA-FINE"], False)
    page = client.get(reverse("billing:lapsing")).content.decode()
    assert [n for n in ("PA-END", "PA-COUNT", "PA-FINE", "PA-B<") if n in page] == [
        "PA-END",
        "PA-COUNT",
        "PA-FINE",
    ]
