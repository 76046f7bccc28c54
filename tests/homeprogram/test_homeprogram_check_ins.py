"""The patient's check-in link: the happy path, each alert rule, the crisis path, expiry,
reuse, another patient's link, and the in-person first-dose rule."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from tests.homeprogram.factories import (
    GOOD_ANSWERS,
    issue,
    make_home_course,
    make_prescription,
)

from ketaclinic.apps.alerts.choices import AlertKind, AlertLevel
from ketaclinic.apps.alerts.models import Alert
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.homeprogram.models import HomeCheckIn
from ketaclinic.clinical.exceptions import InputError

pytestmark = pytest.mark.usefixtures("fixed_clock")


def url(token):
    return reverse("home_check_in:form", args=[token])


def submit(client, token, **changes):
    answers = {**GOOD_ANSWERS, **changes}
    return client.post(url(token), {k: v for k, v in answers.items() if v is not None})


def test_the_form_opens_without_login_and_names_no_patient(client, clinic):
    issued = issue(make_prescription(clinic))
    response = client.get(url(issued.token))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Riverside" in body
    assert "10 March" in body
    assert "Rivera" not in body
    assert "Alice" not in body
    assert "no-store" in response["Cache-Control"]
    assert "<script" not in body
    assert AuditEvent.objects.filter(
        action=Action.VIEW, object_type="home_check_in_link", patient=clinic.alice
    ).exists()


def test_an_uneventful_check_in_is_stored_without_an_alert(client, clinic):
    issued = issue(make_prescription(clinic))
    response = submit(client, issued.token)
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    check_in = HomeCheckIn.objects.get()
    assert check_in.amount_mg == Decimal("100")
    # 09:00 at Riverside on 10 March (EDT, UTC-4) = 13:00 UTC
    assert check_in.taken_at == dt.datetime(2026, 3, 10, 13, 0, tzinfo=dt.UTC)
    assert check_in.side_effects == ["dissociation"]
    assert check_in.findings == []
    assert not Alert.objects.exists()
    assert AuditEvent.objects.filter(
        action=Action.SUBMIT, object_type="home_check_in", patient=clinic.alice
    ).exists()
    # The token opens the patient's check-in: the audit trail keeps the path without it.
    assert not AuditEvent.objects.filter(path__contains=issued.token).exists()
    assert AuditEvent.objects.filter(path="/home/[token]/").exists()


@pytest.mark.parametrize(
    ("changes", "code", "level"),
    [
        ({"bp_systolic": "165", "bp_diastolic": "90"}, "bp_high", AlertLevel.WARNING),
        ({"bp_systolic": "182", "bp_diastolic": "100"}, "bp_urgent", AlertLevel.URGENT),
        ({"side_effect_severity": "severe"}, "severe_side_effects", AlertLevel.URGENT),
        ({"responsible_adult_present": "no"}, "no_responsible_adult", AlertLevel.WARNING),
        ({"suicidal_thoughts": "yes"}, "suicidal_thoughts", AlertLevel.URGENT),
        ({"amount_mg": "200"}, "dose_above_prescribed", AlertLevel.URGENT),
    ],
)
def test_each_worrying_answer_alerts_the_prescriber(client, clinic, changes, code, level):
    issued = issue(make_prescription(clinic))
    submit(client, issued.token, **changes)
    check_in = HomeCheckIn.objects.get()
    assert [f["code"] for f in check_in.findings] == [code]
    alert = Alert.objects.get()
    assert (alert.kind, alert.level) == (AlertKind.HOME_CHECK_IN, level)
    assert alert.assigned_to == clinic.prescriber
    assert alert.patient == clinic.alice
    assert alert.source_id == str(check_in.pk)


def test_a_third_dose_within_seven_days_is_more_than_prescribed(client, clinic):
    rx = make_prescription(clinic)
    # 7 March and 10 March are planned; a dose on 7 March, then two reported on 10 March:
    # 3 doses in the 7 days to 10 March > 2 allowed
    submit(client, issue(rx, dt.date(2026, 3, 7)).token)
    rx2_link = issue(rx, dt.date(2026, 3, 10))
    submit(client, rx2_link.token, taken_time="08:00")
    assert not Alert.objects.exists()
    third = issue(rx, dt.date(2026, 3, 10))
    # the same planned date twice is allowed by the link but counted in the week
    submit(client, third.token, taken_time="09:30")
    alert = Alert.objects.get()
    assert "3 doses in 7 days" in alert.message


def test_suicidal_thoughts_show_crisis_resources_at_once(client, clinic, settings):
    issued = issue(make_prescription(clinic))
    response = submit(client, issued.token, suicidal_thoughts="yes")
    body = response.content.decode()
    assert 'id="crisis"' in body
    assert settings.KETACLINIC_CRISIS_TEXT[:20] in body
    # and on a form sent back for a correction, too
    second = issue(make_prescription(clinic, course=make_home_course(clinic)))
    again = submit(client, second.token, suicidal_thoughts="yes", mood_0_10="11")
    assert again.status_code == 422
    assert 'id="crisis"' in again.content.decode()


def test_missing_answers_come_back_with_field_errors_and_keep_the_link_open(client, clinic):
    issued = issue(make_prescription(clinic))
    response = submit(client, issued.token, taken_time=None, bp_diastolic=None)
    assert response.status_code == 422
    body = response.content.decode()
    assert "Enter the time you took the dose." in body
    assert "Enter both numbers" in body
    assert not HomeCheckIn.objects.exists()
    assert client.get(url(issued.token)).status_code == 200


def test_a_dose_not_taken_needs_no_time_amount_or_adult(client, clinic):
    issued = issue(make_prescription(clinic))
    submit(
        client,
        issued.token,
        dose_taken="no",
        taken_time=None,
        amount_mg=None,
        responsible_adult_present="no",
    )
    check_in = HomeCheckIn.objects.get()
    assert (check_in.dose_taken, check_in.taken_at, check_in.findings) == (False, None, [])


def test_a_link_works_once(client, clinic):
    issued = issue(make_prescription(clinic))
    submit(client, issued.token)
    assert client.get(url(issued.token)).status_code == 410
    assert submit(client, issued.token).status_code == 410
    assert HomeCheckIn.objects.count() == 1


def test_an_expired_link_is_gone(client, clinic, fixed_clock):
    from ketaclinic.apps.web import clock

    issued = issue(make_prescription(clinic))
    # issued 10 March 14:00 UTC, lives 48 h: expired at 12 March 14:00 UTC
    clock.install(clock.FixedClock(dt.datetime(2026, 3, 12, 14, 0, tzinfo=dt.UTC)))
    assert client.get(url(issued.token)).status_code == 410
    clock.install(clock.FixedClock(dt.datetime(2026, 3, 12, 13, 59, tzinfo=dt.UTC)))
    assert client.get(url(issued.token)).status_code == 200


def test_an_unknown_or_altered_token_is_a_404(client, clinic):
    issued = issue(make_prescription(clinic))
    assert client.get(url("x" * 43)).status_code == 404
    assert client.get(url("short")).status_code == 404
    assert (
        client.get(url(issued.token[:-1] + ("A" if issued.token[-1] != "A" else "B"))).status_code
        == 404
    )


def test_a_link_never_shows_or_touches_another_patients_data(client, clinic):
    alice_rx = make_prescription(clinic)
    from tests.personas import make_patient

    carol = make_patient(clinic.site_a, "K000002", "Carol", "Okafor", dt.date(1990, 1, 1))
    carol_rx = make_prescription(clinic, course=make_home_course(clinic, carol))
    carol_link = issue(carol_rx)
    submit(client, issue(alice_rx).token, bp_systolic="170", bp_diastolic="95")
    body = client.get(url(carol_link.token)).content.decode()
    assert "Carol" not in body
    assert "Okafor" not in body
    assert "Alice" not in body
    assert "170" not in body
    submit(client, carol_link.token)
    assert HomeCheckIn.objects.get(link__token_hash=carol_link.link.token_hash).prescription == (
        carol_rx
    )
    assert list(Alert.objects.values_list("patient_id", flat=True)) == [clinic.alice.pk]


def test_no_link_before_the_in_person_first_dose_is_charted(clinic):
    rx = make_prescription(clinic, first_dose=False)
    with pytest.raises(InputError) as raised:
        issue(rx)
    assert raised.value.field == "planned_on"


def test_no_link_for_a_date_that_is_not_planned_or_is_before_the_first_dose(clinic):
    rx = make_prescription(clinic)
    with pytest.raises(InputError):
        issue(rx, dt.date(2026, 3, 11))
    late = make_prescription(clinic, course=make_home_course(clinic))
    # first dose discharged 2 March; re-chart the course's first dose later: 8 March
    late.course.sessions.update(discharged_at=dt.datetime(2026, 3, 8, 16, tzinfo=dt.UTC))
    with pytest.raises(InputError):
        issue(late, dt.date(2026, 3, 7))
    issue(late, dt.date(2026, 3, 10))


def test_the_protocols_own_rhythm_is_never_more_than_prescribed(client, clinic):
    rx = make_prescription(clinic)
    # planned 3, 7 and 10 March (3.5 days apart on average): 3 March at 20:00, 7 March, then
    # 10 March at 09:00. 10 March 09:00 - 168 h = 3 March 09:00 would count three doses;
    # calendar days 4-10 March count two (7 and 10 March): within 2 a week.
    submit(client, issue(rx, dt.date(2026, 3, 3)).token, taken_time="20:00")
    submit(client, issue(rx, dt.date(2026, 3, 7)).token)
    submit(client, issue(rx, dt.date(2026, 3, 10)).token)
    assert not Alert.objects.exists()
