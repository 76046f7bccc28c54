"""The patient's link: single use, expiring, hashed, rate-limited, crisis resources shown
at once, nothing disclosed on a bad link, and alerts never dropped."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from tests.assessments.conftest import ALERT_TRIGGERS, form_data

from ketaclinic.apps.alerts.models import Alert
from ketaclinic.apps.assessments.choices import AssessmentSource, SentVia
from ketaclinic.apps.assessments.links import (
    LinkGone,
    LinkNotFound,
    deliver_link,
    issue_link,
    link_url,
    open_link,
)
from ketaclinic.apps.assessments.models import Assessment, SelfReportLink
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.web import clock
from ketaclinic.apps.web.private_links import ADDRESS_LIMIT, TOKEN_LIMIT
from ketaclinic.clinical.exceptions import InputError
from ketaclinic.clinical.scales import get_scale

CRISIS = 'call or text <a class="tel-link" href="tel:988">988</a>'


def new_link(clinic, instruments=("phq9",), patient=None, **kwargs):
    kwargs.setdefault("sent_via", SentVia.NOT_SENT)
    return issue_link(
        patient=patient or clinic.alice,
        instruments=list(instruments),
        created_by=clinic.front_desk,
        **kwargs,
    )


def url(token):
    return f"/r/{token}/"


def test_only_the_hash_of_the_token_is_stored(clinic, fixed_clock):
    issued = new_link(clinic)
    link = SelfReportLink.objects.get()
    assert len(issued.token) == 43
    assert link.token_hash == hashlib.sha256(issued.token.encode()).hexdigest()
    assert issued.token not in str(SelfReportLink.objects.values().get())
    assert link.expires_at == fixed_clock.now() + dt.timedelta(hours=72)
    event = AuditEvent.objects.get(object_type="self_report_link", action=Action.CREATE)
    assert event.detail == {"instruments": ["phq9"], "sent_via": "not_sent"}


@pytest.mark.parametrize(
    ("instruments", "field"),
    [([], "instruments"), (["madrs"], "instruments[0]"), (["gad7", "gad7"], "instruments")],
)
def test_only_self_report_questionnaires_can_be_sent_each_once(
    clinic, fixed_clock, instruments, field
):
    with pytest.raises(InputError) as caught:
        new_link(clinic, instruments)
    assert caught.value.field == field


def test_the_link_opens_a_mobile_form_with_only_its_questionnaires(client, clinic, fixed_clock):
    issued = new_link(clinic, ("phq9", "gad7"))
    response = client.get(url(issued.token))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="viewport"' in html
    assert "Patient Health Questionnaire-9" in html
    assert "GAD-7" in html
    assert 'name="phq9-item9"' in html
    assert 'name="gad7-item7"' in html
    assert "Nearly every day" in html
    assert "Rivera" not in html
    assert "K000001" not in html
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"
    assert AuditEvent.objects.filter(action=Action.VIEW, object_type="self_report_link").exists()


def test_submitting_stores_self_reports_closes_the_link_and_thanks_the_patient(
    client, clinic, fixed_clock
):
    issued = new_link(clinic, ("phq9", "gad7"))
    data = form_data("phq9", "phq9", item1=2, item2=2) | form_data("gad7", "gad7", item1=1)
    response = client.post(url(issued.token), data)
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    assert CRISIS not in response.content.decode().split("<footer")[0]
    stored = {a.instrument: a for a in Assessment.objects.all()}
    assert (stored["phq9"].total, stored["gad7"].total) == (4, 1)
    assert {a.source for a in stored.values()} == {AssessmentSource.SELF_REPORT}
    assert {a.self_report_link_id for a in stored.values()} == {issued.link.pk}
    assert stored["phq9"].taken_at == fixed_clock.now()
    issued.link.refresh_from_db()
    assert issued.link.used_at == fixed_clock.now()
    submits = AuditEvent.objects.filter(action=Action.SUBMIT, object_type="assessment")
    assert submits.count() == 2
    # The link's token opens the patient's form: the audit trail keeps the path without it.
    assert {event.path for event in submits} == {"/r/[token]/"}
    assert not AuditEvent.objects.filter(path__contains=issued.token).exists()


def test_a_used_link_is_gone_and_cannot_be_used_twice(client, clinic, fixed_clock):
    issued = new_link(clinic)
    client.post(url(issued.token), form_data("phq9", "phq9"))
    again = client.post(url(issued.token), form_data("phq9", "phq9", item1=3))
    assert again.status_code == 410
    assert "already sent" in again.content.decode()
    assert client.get(url(issued.token)).status_code == 410
    assert Assessment.objects.count() == 1


def test_an_expired_link_is_gone_and_says_so_without_disclosing_anything(
    client, clinic, fixed_clock
):
    issued = new_link(clinic, lifetime=dt.timedelta(hours=24))
    later = clock.install(clock.FixedClock(fixed_clock.now() + dt.timedelta(hours=24)))
    try:
        response = client.get(url(issued.token))
        posted = client.post(url(issued.token), form_data("phq9", "phq9"))
    finally:
        clock.install(later)
    assert response.status_code == posted.status_code == 410
    html = response.content.decode()
    assert "expired" in html
    assert "Alice" not in html
    assert "Riverside" not in html
    assert Assessment.objects.count() == 0


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # one character changed
        lambda t: t[:-2],  # truncated
        lambda t: t + "x",  # extended
        lambda t: "x" * 43,  # invented
    ],
    ids=["altered", "truncated", "extended", "invented"],
)
def test_a_tampered_token_is_not_found_and_discloses_nothing(client, clinic, fixed_clock, mangle):
    issued = new_link(clinic)
    response = client.get(url(mangle(issued.token)))
    assert response.status_code == 404
    html = response.content.decode()
    assert "does not work" in html
    assert "Riverside" not in html
    assert "Alice" not in html
    assert "phq9" not in html


def test_a_link_only_ever_stores_answers_for_its_own_patient(client, clinic, fixed_clock):
    alices = new_link(clinic)
    bobs = new_link(clinic, patient=clinic.bob)
    data = form_data("phq9", "phq9") | {
        "patient": str(clinic.bob.pk),
        "patient_id": str(clinic.bob.pk),
    }
    client.post(url(alices.token), data)
    assert list(Assessment.objects.values_list("patient", flat=True)) == [clinic.alice.pk]
    # Bob's link still works for Bob only, and Alice's token cannot reach Bob's form.
    assert open_link(bobs.token).patient == clinic.bob
    assert client.get(url(bobs.token)).status_code == 200
    assert client.get(url(alices.token)).status_code == 410


def test_open_link_refuses_unknown_and_closed_links(clinic, fixed_clock):
    with pytest.raises(LinkNotFound):
        open_link("not a token")
    issued = new_link(clinic)
    SelfReportLink.objects.filter(pk=issued.link.pk).update(used_at=fixed_clock.now())
    with pytest.raises(LinkGone) as gone:
        open_link(issued.token)
    assert gone.value.state == "used"


def test_missing_answers_are_marked_on_every_item_and_the_choices_are_kept(
    client, clinic, fixed_clock
):
    issued = new_link(clinic)
    data = form_data("phq9", "phq9", item1=2)
    data["phq9-item4"] = ""
    data["phq9-item7"] = ""
    response = client.post(url(issued.token), data)
    assert response.status_code == 422
    html = response.content.decode()
    assert html.count("Missing answer") == 2
    assert 'id="id_phq9-item4-error"' in html
    assert 'id="id_phq9-item7-error"' in html
    assert 'id="id_phq9-item1_2" name="phq9-item1" value="2" checked' in html
    assert Assessment.objects.count() == 0
    issued.link.refresh_from_db()
    assert issued.link.used_at is None


def test_a_positive_safety_answer_puts_crisis_resources_at_the_top_even_if_incomplete(
    client, clinic, fixed_clock
):
    issued = new_link(clinic)
    data = form_data("phq9", "phq9", item9=1)
    data["phq9-item3"] = ""
    response = client.post(url(issued.token), data)
    html = response.content.decode()
    top = html.split("<h1>")[0]
    assert CRISIS in top
    assert '<p class="crisis crisis-inline" data-crisis>' in html  # beside item 9 as well
    assert 'id="crisis" role="alert" hidden' not in html


def test_the_crisis_box_is_hidden_until_needed_and_scripts_stay_external(
    client, clinic, fixed_clock
):
    issued = new_link(clinic)
    html = client.get(url(issued.token)).content.decode()
    assert 'id="crisis" role="alert" hidden' in html
    assert 'data-safety-min="1" data-safety-max="3"' in html
    assert "<script>" not in html
    assert "style=" not in html
    assert "questionnaire.js" in html


@pytest.mark.parametrize(
    ("rule", "trigger"),
    [
        (rule, trigger)
        for rule, trigger in ALERT_TRIGGERS.items()
        if get_scale(rule[0]).rater == "self"
    ],
    ids=str,
)
def test_through_the_link_every_self_report_alert_rule_raises_one_alert_and_shows_crisis_help(
    client, clinic, fixed_clock, alice_course, rule, trigger
):
    scale_id = rule[0]
    issued = new_link(clinic, (scale_id,))
    response = client.post(url(issued.token), form_data(scale_id, scale_id, **trigger))
    html = response.content.decode()
    assert response.status_code == 200
    assert CRISIS in html.split("<h1>Thank you")[0]
    alert = Alert.objects.get()
    assessment = Assessment.objects.get()
    assert (alert.source_type, alert.source_id) == ("assessment", str(assessment.pk))
    assert alert.assigned_to == clinic.prescriber


def test_requests_are_limited_per_token(client, clinic, fixed_clock):
    issued = new_link(clinic)
    codes = [client.get(url(issued.token)).status_code for _ in range(TOKEN_LIMIT.requests + 1)]
    assert codes[:-1] == [200] * TOKEN_LIMIT.requests
    assert codes[-1] == 429
    assert "Too many attempts" in client.get(url(issued.token)).content.decode()


def test_requests_are_limited_per_address_across_tokens(client, clinic, fixed_clock):
    codes = [client.get(url(f"{n:043d}")).status_code for n in range(ADDRESS_LIMIT.requests + 1)]
    assert set(codes[:-1]) == {404}
    assert codes[-1] == 429
    other = client.get(url("0" * 43), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 404


def test_the_limit_resets_in_the_next_window(client, clinic, fixed_clock):
    issued = new_link(clinic)
    for _ in range(TOKEN_LIMIT.requests):
        client.get(url(issued.token))
    assert client.get(url(issued.token)).status_code == 429
    previous = clock.install(
        clock.FixedClock(fixed_clock.now() + dt.timedelta(seconds=TOKEN_LIMIT.window_seconds))
    )
    try:
        assert client.get(url(issued.token)).status_code == 200
    finally:
        clock.install(previous)


def test_delivery_sends_a_message_without_identifiers_through_the_chokepoint(
    clinic, fixed_clock, outbox, settings
):
    settings.KETACLINIC_PUBLIC_URL = "https://clinic.example.org"
    clinic.alice.email = "alice@example.org"
    clinic.alice.save()
    issued = new_link(clinic, sent_via=SentVia.EMAIL)
    assert deliver_link(issued) is None
    (message,) = outbox
    assert message.to == "alice@example.org"
    assert message.channel == "email"
    assert link_url(issued.token) in message.body
    assert link_url(issued.token).startswith("https://clinic.example.org/r/")
    assert "Riverside" in message.subject
    assert "Alice" not in message.body
    assert "PHQ" not in message.body + message.subject
    event = AuditEvent.objects.get(action=Action.SEND)
    assert event.detail["channel"] == "email"
    assert event.outcome == "success"
    assert issued.token not in str(event.detail)


def test_an_sms_link_goes_to_the_phone_and_a_failed_send_is_reported_and_audited(
    clinic, fixed_clock, outbox
):
    from ketaclinic.apps.messaging.senders import MemorySender, SendError
    from ketaclinic.apps.messaging.sending import install_sender

    clinic.alice.phone = "+1 555 200 1000"
    clinic.alice.save()
    issued = new_link(clinic, sent_via=SentVia.SMS)
    assert deliver_link(issued) is None
    assert outbox[0].to == "+1 555 200 1000"
    assert outbox[0].channel == "sms"
    previous = install_sender(MemorySender(fail_with=SendError("gateway down")))
    try:
        problem = deliver_link(new_link(clinic, sent_via=SentVia.SMS))
    finally:
        install_sender(previous)
    assert problem == "gateway down"
    assert AuditEvent.objects.filter(action=Action.SEND, outcome="error").count() == 1


def test_a_link_not_sent_sends_nothing(clinic, fixed_clock, outbox):
    assert deliver_link(new_link(clinic)) is None
    assert outbox == []
