"""The public page /join/<site>/: validation, abuse limits, the crisis path, no data in logs."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.urls import reverse

from ketaclinic.apps.alerts.choices import AlertKind, AlertLevel
from ketaclinic.apps.alerts.models import Alert
from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.enquiries.abuse import MAX_BODY_BYTES, RATE_LIMIT_PER_HOUR, started_token
from ketaclinic.apps.enquiries.choices import EnquiryStatus, EventKind, TallyKind
from ketaclinic.apps.enquiries.models import Enquiry, SubmissionTally

pytestmark = pytest.mark.django_db


def join_url(site) -> str:
    return reverse("join:form", args=[site.slug])


def tally(site, kind) -> int:
    row = SubmissionTally.objects.filter(site=site, kind=kind).first()
    return row.count if row else 0


def test_the_page_needs_no_login_and_carries_a_signed_start_time(client, clinic, fixed_clock):
    response = client.get(join_url(clinic.site_a))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Join the waiting list" in body
    assert "Riverside" in body
    assert 'name="started"' in body
    assert 'name="website"' in body  # the honeypot, hidden by CSS
    assert "<script" not in body  # works without JavaScript


def test_an_unknown_site_is_not_found(client, clinic):
    assert client.get("/join/nowhere/").status_code == 404


def test_a_link_can_preselect_the_program(client, clinic, fixed_clock):
    response = client.get(join_url(clinic.site_a), {"program": "kap"})
    assert response.context["form"].initial["program"] == "kap"
    ignored = client.get(join_url(clinic.site_a), {"program": "magic"})
    assert "program" not in ignored.context["form"].initial


def test_a_valid_enquiry_is_stored_as_new_with_its_first_event(client, clinic, submission):
    response = client.post(join_url(clinic.site_a), submission())
    assert response.status_code == 200
    body = response.content.decode()
    assert "you are on the waiting list" in body
    assert "What happens next" in body
    enquiry = Enquiry.objects.get()
    assert enquiry.site == clinic.site_a
    assert enquiry.status == EnquiryStatus.NEW
    assert (enquiry.given_name, enquiry.family_name) == ("Carla", "Moreau")
    assert enquiry.date_of_birth == dt.date(1990, 2, 3)
    assert enquiry.preferred_contact == "phone"
    assert enquiry.submitted_at == dt.datetime(2026, 3, 10, 14, 0, tzinfo=dt.UTC)
    assert [e.kind for e in enquiry.events.all()] == [EventKind.SUBMITTED]
    audit = AuditEvent.objects.get(object_type="enquiry", action="create")
    assert audit.object_id == str(enquiry.pk)
    assert audit.site_id == clinic.site_a.pk
    assert audit.actor is None
    assert "Carla" not in str(audit.detail)
    assert not Alert.objects.exists()


def test_confirmation_shows_the_measured_typical_wait_only_with_enough_conversions(
    client, clinic, submission
):
    from tests.enquiries.enquiry_data import make_enquiry

    # Five conversions of the home program took 10, 12, 20, 30 and 40 days; the median
    # (nearest rank ⌈5/2⌉ = 3rd) is 20 days.
    for index, took in enumerate((10, 12, 20, 30, 40)):
        enquiry = make_enquiry(clinic.site_a, days_ago=100, program="home_sublingual")
        Enquiry.objects.filter(pk=enquiry.pk).update(
            status=EnquiryStatus.CONVERTED,
            patient=clinic.alice if index == 0 else make_patient_like(clinic, index),
            converted_at=enquiry.submitted_at + dt.timedelta(days=took, hours=1),
        )
    body = client.post(join_url(clinic.site_a), submission()).content.decode()
    assert "a median of <strong>20 days</strong>" in body
    kap = client.post(join_url(clinic.site_a), submission(program="kap")).content.decode()
    assert "not yet seen enough people" in kap


def make_patient_like(clinic, index):
    from tests.personas import make_patient

    return make_patient(clinic.site_a, f"T{index:05d}", "Pat", f"Conv{index}", dt.date(1980, 1, 1))


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"program": ""}, "program", "This field is required"),
        ({"program": "ayahuasca"}, "program", "Select a valid choice"),
        ({"given_name": "   "}, "given_name", "This field is required"),
        ({"family_name": ""}, "family_name", "This field is required"),
        ({"given_name": "x" * 101}, "given_name", "at most 100 characters"),
        ({"date_of_birth": ""}, "date_of_birth", "This field is required"),
        ({"date_of_birth": "1990-02-30"}, "date_of_birth", "Enter a valid date"),
        ({"date_of_birth": "2026-03-11"}, "date_of_birth", "cannot be in the future"),
        ({"date_of_birth": "1900-01-01"}, "date_of_birth", "check the year"),
        ({"sex_at_birth": "robot"}, "sex_at_birth", "Select a valid choice"),
        ({"email": "carla@"}, "email", "Enter a valid email address"),
        ({"phone": "call me"}, "phone", "Enter a phone number"),
        ({"email": "", "phone": ""}, "email", "Give an email address or a phone number"),
        ({"phone": "", "preferred_contact": "text"}, "preferred_contact", "Add your phone number"),
        (
            {"email": "", "preferred_contact": "email"},
            "preferred_contact",
            "Add your email address",
        ),
        ({"preferred_contact": "pigeon"}, "preferred_contact", "Select a valid choice"),
        ({"preferred_time": "midnight"}, "preferred_time", "Select a valid choice"),
        ({"condition": ""}, "condition", "This field is required"),
        ({"condition": "other"}, "condition_other", "Tell us in a few words"),
        ({"consent_to_contact": None}, "consent_to_contact", "agree to be contacted"),
        ({"note": "n" * 1001}, "note", "at most 1000 characters"),
    ],
)
def test_each_field_error_names_the_field_and_nothing_is_stored(
    client, clinic, submission, change, field, message
):
    response = client.post(join_url(clinic.site_a), submission(**change))
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert message in " ".join(errors[field]), errors
    assert not Enquiry.objects.exists()
    # The form comes back with a fresh start time, so the person can just fix and resend.
    assert response.context["form"].data["started"] != submission()["started"]


def test_errors_keep_what_the_person_typed(client, clinic, submission):
    response = client.post(join_url(clinic.site_a), submission(email="carla@"))
    body = response.content.decode()
    assert 'value="Moreau"' in body
    assert "Three antidepressants" in body


def test_an_under_18_is_told_kindly_and_only_counted(client, clinic, submission):
    # Born 2008-03-11: on 2026-03-10 (the day before the 18th birthday) still 17.
    response = client.post(
        join_url(clinic.site_a), submission(date_of_birth="2008-03-11", email="carla@")
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "treats adults only" in body
    assert "have not kept what you typed" in body
    assert not Enquiry.objects.exists()
    assert tally(clinic.site_a, TallyKind.UNDER_18) == 1
    assert not AuditEvent.objects.filter(object_type="enquiry").exists()


def test_an_eighteenth_birthday_today_is_an_adult(client, clinic, submission):
    # Born 2008-03-10: 18 on 2026-03-10 in the site's time zone (New York, 10:00 local).
    response = client.post(join_url(clinic.site_a), submission(date_of_birth="2008-03-10"))
    assert response.status_code == 200
    assert Enquiry.objects.count() == 1


def test_an_under_18_in_crisis_sees_crisis_resources(client, clinic, submission, settings):
    settings.KETACLINIC_CRISIS_TEXT = "Call or text 988 now."
    response = client.post(
        join_url(clinic.site_a),
        submission(date_of_birth="2012-01-01", suicidal_thoughts="on"),
    )
    body = response.content.decode()
    assert (
        'class="crisis-text">Call or text <a class="tel-link" href="tel:988">988</a> now.' in body
    )
    assert not Alert.objects.exists()  # nothing stored, nobody to call back


def test_current_suicidal_thoughts_show_crisis_resources_at_once_and_alert_once(
    client, clinic, submission, settings
):
    settings.KETACLINIC_CRISIS_TEXT = "Call or text 988 now."
    response = client.post(join_url(clinic.site_a), submission(suicidal_thoughts="on"))
    body = response.content.decode()
    assert response.status_code == 200
    crisis_at = body.index(
        'class="crisis-text">Call or text <a class="tel-link" href="tel:988">988</a> now.'
    )
    assert crisis_at < body.index("you are on the waiting list")  # first thing on the page
    assert "team has also been told" in body
    enquiry = Enquiry.objects.get()
    alert = Alert.objects.get()
    assert alert.kind == AlertKind.ENQUIRY_CRISIS
    assert alert.level == AlertLevel.URGENT
    assert alert.site == clinic.site_a
    assert alert.patient is None
    assert (alert.source_type, alert.source_id) == ("enquiry", str(enquiry.pk))
    assert f"/waitlist/{enquiry.pk}/" in alert.message
    # The prescriber at the site sees it; the site B nurse does not.
    from ketaclinic.apps.alerts.raising import alerts_for

    assert list(alerts_for(clinic.prescriber)) == [alert]
    assert list(alerts_for(clinic.nurse_b)) == []


def test_crisis_resources_also_show_when_the_form_comes_back_with_errors(
    client, clinic, submission, settings
):
    settings.KETACLINIC_CRISIS_TEXT = "Call or text 988 now."
    response = client.post(
        join_url(clinic.site_a), submission(suicidal_thoughts="on", consent_to_contact=None)
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert 'Call or text <a class="tel-link" href="tel:988">988</a> now.' in body
    assert "team has also been told" not in body
    assert not Alert.objects.exists()


def test_the_rate_limit_allows_five_an_hour_per_address(client, clinic, submission):
    url = join_url(clinic.site_a)
    for _ in range(RATE_LIMIT_PER_HOUR):
        assert client.post(url, submission(), REMOTE_ADDR="203.0.113.7").status_code == 200
    refused = client.post(url, submission(), REMOTE_ADDR="203.0.113.7")
    assert refused.status_code == 429
    assert "try again in an hour" in refused.content.decode()
    assert Enquiry.objects.count() == RATE_LIMIT_PER_HOUR
    assert tally(clinic.site_a, TallyKind.RATE_LIMITED) == 1
    other = client.post(url, submission(), REMOTE_ADDR="198.51.100.2")
    assert other.status_code == 200


def test_the_rate_limit_window_is_one_clock_hour(client, clinic, submission, fixed_clock):
    url = join_url(clinic.site_a)
    for _ in range(RATE_LIMIT_PER_HOUR):
        client.post(url, submission())
    assert client.post(url, submission()).status_code == 429
    fixed_clock.moment += dt.timedelta(hours=1)
    assert client.post(url, submission()).status_code == 200


def test_the_honeypot_gets_the_same_confirmation_and_nothing_is_stored(client, clinic, submission):
    response = client.post(join_url(clinic.site_a), submission(website="http://spam.example"))
    assert response.status_code == 200
    assert "you are on the waiting list" in response.content.decode()
    assert not Enquiry.objects.exists()
    assert not AuditEvent.objects.filter(object_type="enquiry").exists()
    assert tally(clinic.site_a, TallyKind.HONEYPOT) == 1


def test_an_oversized_body_is_refused_with_413_before_parsing(client, clinic, submission):
    response = client.post(join_url(clinic.site_a), submission(note="x" * MAX_BODY_BYTES))
    assert response.status_code == 413
    assert "too large" in response.content.decode()
    assert not Enquiry.objects.exists()
    assert tally(clinic.site_a, TallyKind.OVERSIZE) == 1


def test_a_submission_faster_than_a_person_types_is_shown_the_form_again(
    client, clinic, submission, fixed_clock
):
    # Shown 2 s ago: under the 3 s minimum. 3 s exactly is accepted.
    two_seconds = started_token(clinic.site_a.pk, fixed_clock.now() - dt.timedelta(seconds=2))
    response = client.post(join_url(clinic.site_a), submission(started=two_seconds))
    assert response.status_code == 422
    assert "quicker than we expected" in response.content.decode()
    assert not Enquiry.objects.exists()
    assert tally(clinic.site_a, TallyKind.TOO_FAST) == 1
    three_seconds = started_token(clinic.site_a.pk, fixed_clock.now() - dt.timedelta(seconds=3))
    assert (
        client.post(join_url(clinic.site_a), submission(started=three_seconds)).status_code == 200
    )


@pytest.mark.parametrize(
    "token",
    [
        "",
        "forged:1773151140",
        "site-b",
        "day-old",
    ],
)
def test_a_missing_forged_other_site_or_expired_start_time_is_refused(
    client, clinic, submission, fixed_clock, token
):
    now = fixed_clock.now()
    if token == "site-b":
        token = started_token(clinic.site_b.pk, now - dt.timedelta(minutes=1))
    elif token == "day-old":
        token = started_token(clinic.site_a.pk, now - dt.timedelta(hours=24, seconds=1))
    response = client.post(join_url(clinic.site_a), submission(started=token))
    assert response.status_code == 422
    assert "Send again" in response.content.decode()
    assert not Enquiry.objects.exists()


def test_no_enquiry_data_appears_in_the_logs(client, clinic, submission, caplog, settings):
    settings.KETACLINIC_CRISIS_TEXT = "Call or text 988 now."
    secrets = {
        "given_name": "Zebulon",
        "family_name": "Quartermaine",
        "email": "zebulon.q@example.com",
        "phone": "+1 555 987 6543",
        "note": "Private detail 7731",
        "condition": "other",
        "condition_other": "Unusual ailment 5521",
    }
    with (
        caplog.at_level(logging.DEBUG),
        caplog.at_level(logging.DEBUG, logger="django.request"),
        caplog.at_level(logging.DEBUG, logger="django.db.backends"),
    ):
        client.get(join_url(clinic.site_a))
        client.post(join_url(clinic.site_a), submission(**secrets, suicidal_thoughts="on"))
        client.post(join_url(clinic.site_a), submission(**{**secrets, "phone": "bad phone"}))
        client.post(join_url(clinic.site_a), submission(**secrets, date_of_birth="2015-01-01"))
        client.post(join_url(clinic.site_a), submission(**{**secrets, "note": "y" * 20_000}))
    assert Enquiry.objects.count() == 1
    # Logging was on: the refused requests were logged (by path and status only).
    assert any(r.name == "django.request" for r in caplog.records), caplog.text
    logged = caplog.text + " ".join(str(r.args) for r in caplog.records)
    for value in (*secrets.values(), "1990-02-03", "bad phone"):
        assert value.lower() not in logged.lower()
