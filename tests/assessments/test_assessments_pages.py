"""Staff pages: who may open which (every persona), forms that name the wrong item, the
chart section on the patient page, audit events and pinned query counts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from tests.assessments.conftest import (
    ALERT_TRIGGERS,
    ENTERERS,
    SENDERS,
    VIEWERS,
    baseline_answers,
    expected,
    form_data,
)
from tests.personas import PERSONAS

from ketaclinic.apps.alerts.models import Alert
from ketaclinic.apps.assessments.models import Assessment, SelfReportLink
from ketaclinic.apps.assessments.recording import record_assessment
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.models import AuditEvent

TAKEN = dt.datetime(2026, 3, 9, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def as_persona(client, clinic):
    def login(persona: str):
        user = clinic.persona(persona)
        if user is not None:
            client.force_login(user)
        return client

    return login


def stored(clinic, scale_id="phq9", **overrides):
    return record_assessment(
        patient=clinic.alice,
        instrument=scale_id,
        answers=baseline_answers(scale_id, **overrides),
        taken_at=TAKEN,
        entered_by=clinic.nurse,
    )


def entry_data(scale_id="phq9", **overrides):
    return {"taken_at": "2026-03-10T09:30", "session": ""} | form_data(scale_id, **overrides)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_assessment_list_is_for_clinical_roles_at_the_patients_site(
    as_persona, clinic, fixed_clock, persona
):
    response = as_persona(persona).get(reverse("assessments:list", args=[clinic.alice.pk]))
    assert response.status_code == expected(persona, VIEWERS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_entering_an_assessment_is_for_those_who_rate_patients(
    as_persona, clinic, fixed_clock, persona
):
    client = as_persona(persona)
    choose = client.get(reverse("assessments:choose", args=[clinic.alice.pk]))
    form = client.get(reverse("assessments:enter", args=[clinic.alice.pk, "madrs"]))
    assert choose.status_code == form.status_code == expected(persona, ENTERERS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_posting_a_madrs_is_for_clinicians_only(as_persona, clinic, fixed_clock, persona):
    response = as_persona(persona).post(
        reverse("assessments:enter", args=[clinic.alice.pk, "madrs"]), entry_data("madrs")
    )
    assert response.status_code == expected(persona, ENTERERS, ok=302)
    assert Assessment.objects.exists() == (expected(persona, ENTERERS) == 200)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_assessment_detail_follows_the_patients_site(as_persona, clinic, fixed_clock, persona):
    assessment = stored(clinic)
    response = as_persona(persona).get(reverse("assessments:detail", args=[assessment.pk]))
    assert response.status_code == expected(persona, VIEWERS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_correcting_needs_the_add_permission(as_persona, clinic, fixed_clock, persona):
    assessment = stored(clinic)
    response = as_persona(persona).get(reverse("assessments:correct", args=[assessment.pk]))
    assert response.status_code == expected(persona, VIEWERS & ENTERERS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_sending_a_link_is_for_front_desk_nurses_prescribers_and_the_director(
    as_persona, clinic, fixed_clock, outbox, persona
):
    clinic.alice.email = "alice@example.org"
    clinic.alice.save()
    client = as_persona(persona)
    page = client.get(reverse("assessments:send-link", args=[clinic.alice.pk]))
    assert page.status_code == expected(persona, SENDERS)
    posted = client.post(
        reverse("assessments:send-link", args=[clinic.alice.pk]),
        {"instruments": ["phq9", "gad7"], "sent_via": "email", "lifetime_hours": "72"},
    )
    assert posted.status_code == expected(persona, SENDERS)
    assert len(outbox) == (1 if expected(persona, SENDERS) == 200 else 0)


def test_the_staff_form_saves_the_core_score_and_redirects_to_the_detail(
    client, clinic, fixed_clock
):
    client.force_login(clinic.nurse)
    response = client.post(
        reverse("assessments:enter", args=[clinic.alice.pk, "gad7"]),
        entry_data("gad7", item1=3, item2=2),
    )
    assessment = Assessment.objects.get()
    assert response.url == reverse("assessments:detail", args=[assessment.pk])
    assert assessment.total == 5
    # 09:30 at Riverside (America/New_York, EDT from 8 March 2026) is 13:30 UTC.
    assert assessment.taken_at == dt.datetime(2026, 3, 10, 13, 30, tzinfo=dt.UTC)
    assert assessment.entered_by == clinic.nurse


def test_the_form_names_each_missing_item_and_keeps_the_answers(client, clinic, fixed_clock):
    client.force_login(clinic.nurse)
    data = entry_data("phq9", item1=3)
    data["item2"] = ""
    data["item5"] = ""
    data["item1"] = "7"
    response = client.post(reverse("assessments:enter", args=[clinic.alice.pk, "phq9"]), data)
    assert response.status_code == 422
    form = response.context["form"]
    assert set(form.errors) == {"item1", "item2", "item5"}
    assert "missing answer" in form.errors["item2"][0]
    assert Assessment.objects.count() == 0


def test_a_time_in_the_future_is_refused(client, clinic, fixed_clock):
    client.force_login(clinic.nurse)
    data = entry_data("gad7") | {"taken_at": "2026-03-11T09:30"}
    response = client.post(reverse("assessments:enter", args=[clinic.alice.pk, "gad7"]), data)
    assert response.status_code == 422
    assert "future" in response.context["details"].errors["taken_at"][0]


def test_cssrs_skip_logic_works_without_javascript(client, clinic, fixed_clock):
    client.force_login(clinic.prescriber)
    page = client.get(reverse("assessments:enter", args=[clinic.alice.pk, "cssrs_screen"]))
    html = page.content.decode()
    assert "Only if the answer to question 2 is “Yes”." in html
    assert "Not asked (skipped)" in html
    assert 'data-asked-if="item2" data-asked-if-value="1"' in html
    # Answering a question the rules did not ask is refused on that item, by the core.
    data = entry_data("cssrs_screen") | {"item3": "1"}
    refused = client.post(
        reverse("assessments:enter", args=[clinic.alice.pk, "cssrs_screen"]), data
    )
    assert refused.status_code == 422
    assert "skip logic" in refused.context["form"].errors["item3"][0]
    # With every dependent question left "not asked", the screen saves.
    saved = client.post(
        reverse("assessments:enter", args=[clinic.alice.pk, "cssrs_screen"]),
        entry_data("cssrs_screen"),
    )
    assert saved.status_code == 302
    assert Assessment.objects.get().band == "none"


def test_a_label_only_instrument_shows_numbers_and_says_why(client, clinic, fixed_clock):
    client.force_login(clinic.nurse)
    html = client.get(
        reverse("assessments:enter", args=[clinic.alice.pk, "cadss"])
    ).content.decode()
    assert "Item wording is not reproduced here (licence)" in html
    assert "Subjective item 1" in html
    assert "Observer item 1 (optional)" in html


@pytest.mark.parametrize(("rule", "trigger"), list(ALERT_TRIGGERS.items()), ids=str)
def test_through_the_staff_form_every_alert_rule_raises_one_alert(
    client, clinic, fixed_clock, alice_course, rule, trigger
):
    scale_id = rule[0]
    client.force_login(clinic.nurse)
    response = client.post(
        reverse("assessments:enter", args=[clinic.alice.pk, scale_id]),
        entry_data(scale_id, **trigger),
        follow=True,
    )
    assert "Safety alert raised" in response.content.decode()
    alert = Alert.objects.get()
    assert alert.source_id == str(Assessment.objects.get().pk)
    assert alert.assigned_to == clinic.prescriber


def test_the_detail_shows_the_answers_and_is_audited(client, clinic, fixed_clock):
    assessment = stored(clinic, item9=1, item1=2)
    client.force_login(clinic.therapist)
    html = client.get(reverse("assessments:detail", args=[assessment.pk])).content.decode()
    assert "Thoughts that you would be better off dead" in html
    assert "Several days" in html
    assert "Safety alert" in html
    event = AuditEvent.objects.filter(action=Action.VIEW, object_type="assessment").latest("id")
    assert (event.object_id, event.actor) == (str(assessment.pk), clinic.therapist)


def test_correcting_through_the_page_keeps_the_original(client, clinic, fixed_clock):
    original = stored(clinic, item1=3)
    client.force_login(clinic.prescriber)
    page = client.get(reverse("assessments:correct", args=[original.pk]))
    assert 'name="item1" value="3" checked' in page.content.decode()
    no_reason = client.post(
        reverse("assessments:correct", args=[original.pk]), form_data("phq9", item1=1)
    )
    assert no_reason.status_code == 422
    response = client.post(
        reverse("assessments:correct", args=[original.pk]),
        form_data("phq9", item1=1) | {"reason": "Transcription error"},
    )
    correction = Assessment.objects.exclude(pk=original.pk).get()
    assert response.url == reverse("assessments:detail", args=[correction.pk])
    old_page = client.get(reverse("assessments:detail", args=[original.pk])).content.decode()
    assert "This version was corrected" in old_page
    again = client.get(reverse("assessments:correct", args=[original.pk]))
    assert again.status_code == 302
    assert Assessment.objects.count() == 2


def test_sending_shows_the_link_once_and_stores_only_its_hash(client, clinic, fixed_clock, outbox):
    clinic.alice.email = "alice@example.org"
    clinic.alice.save()
    client.force_login(clinic.front_desk)
    response = client.post(
        reverse("assessments:send-link", args=[clinic.alice.pk]),
        {"instruments": ["phq9"], "sent_via": "email", "lifetime_hours": "24"},
    )
    url = response.context["url"]
    assert url.startswith("http://testserver/r/")
    assert url in response.content.decode()
    assert url in outbox[0].body
    link = SelfReportLink.objects.get()
    assert link.created_by == clinic.front_desk
    assert link.expires_at == fixed_clock.now() + dt.timedelta(hours=24)
    listing = client.get(reverse("assessments:send-link", args=[clinic.alice.pk]))
    assert url not in listing.content.decode()
    assert "open" in listing.content.decode()


def test_sending_by_email_without_an_address_is_refused_on_the_field(
    client, clinic, fixed_clock, outbox
):
    client.force_login(clinic.nurse)
    response = client.post(
        reverse("assessments:send-link", args=[clinic.alice.pk]),
        {"instruments": ["phq9"], "sent_via": "email", "lifetime_hours": "72"},
    )
    assert response.status_code == 422
    assert "No e-mail address" in response.context["form"].errors["sent_via"][0]
    assert outbox == []
    assert not SelfReportLink.objects.exists()


def test_a_failed_send_still_shows_the_link_to_copy(client, clinic, fixed_clock):
    from ketaclinic.apps.messaging.senders import MemorySender, SendError
    from ketaclinic.apps.messaging.sending import install_sender

    clinic.alice.phone = "+1 555 200 1000"
    clinic.alice.save()
    client.force_login(clinic.nurse)
    previous = install_sender(MemorySender(fail_with=SendError("no SMS gateway")))
    try:
        response = client.post(
            reverse("assessments:send-link", args=[clinic.alice.pk]),
            {"instruments": ["gad7"], "sent_via": "sms", "lifetime_hours": "72"},
        )
    finally:
        install_sender(previous)
    html = response.content.decode()
    assert "not sent: no SMS gateway" in html
    assert response.context["url"] in html


def test_the_assessment_list_query_count_does_not_grow_with_the_history(
    client, clinic, fixed_clock, django_assert_num_queries
):
    client.force_login(clinic.nurse)
    stored(clinic)
    client.get(reverse("assessments:list", args=[clinic.alice.pk]))  # warm the session
    with django_assert_num_queries(QUERIES_LIST) as few:
        client.get(reverse("assessments:list", args=[clinic.alice.pk]))
    first = len(few)
    for n in range(15):
        stored(clinic, "gad7" if n % 2 else "phq9", item1=n % 4)
    with django_assert_num_queries(first):
        response = client.get(reverse("assessments:list", args=[clinic.alice.pk]))
    assert len(response.context["page"].items) == 16


QUERIES_LIST = 7  # session, user, access (one UNION), patient, rows, audit insert, nav


def test_the_patient_chart_shows_a_trajectory_per_instrument_in_bounded_queries(
    client, clinic, fixed_clock, django_assert_num_queries
):
    client.force_login(clinic.prescriber)
    for day, total_item1 in enumerate([3, 3, 2, 1]):
        record_assessment(
            patient=clinic.alice,
            instrument="phq9",
            answers=baseline_answers("phq9", item1=total_item1, item2=3, item3=3),
            taken_at=TAKEN - dt.timedelta(days=30 - 7 * day),
            entered_by=clinic.nurse,
        )
    stored(clinic, "gad7", item1=2)
    client.get(reverse("patients:detail", args=[clinic.alice.pk]))
    # The chart page belongs to several apps; what is pinned is that more history adds none.
    with CaptureQueriesContext(connection) as counted:
        response = client.get(reverse("patients:detail", args=[clinic.alice.pk]))
    first = len(counted)
    for day in range(10):
        stored(clinic, "phq9", item1=day % 4)
    with django_assert_num_queries(first):
        client.get(reverse("patients:detail", args=[clinic.alice.pk]))
    html = response.content.decode()
    assert len(re.findall(r'<svg [^>]*class="trajectory"', html)) == 2
    assert '<title id="trajectory-phq9-title">' in html
    assert "Baseline 9" in html  # 3 + 3 + 3 on the first PHQ-9
    assert "Response ≤ 4.5" in html  # 50% of 9
    assert "Remission ≤ 4" in html
    assert AuditEvent.objects.filter(object_type="assessment_trajectory").exists()


def test_the_front_desk_sees_the_send_button_but_no_scores_on_the_chart(
    client, clinic, fixed_clock
):
    stored(clinic, item9=1)
    client.force_login(clinic.front_desk)
    html = client.get(reverse("patients:detail", args=[clinic.alice.pk])).content.decode()
    assert "Send a questionnaire" in html
    assert "trajectory" not in html
