"""An idle logout loses nothing: a form posted after it is kept for its author, the login
returns to the form's page (never to a URL that takes only POST), and the page can ask how
long is left or stay signed in."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from tests.personas import PersonaClient

from ketaclinic.apps.accounts.drafts import DRAFTS_SESSION_KEY
from ketaclinic.apps.accounts.middleware import IdleTimeoutMiddleware
from ketaclinic.apps.accounts.models import FormDraft
from ketaclinic.apps.audit.models import AuditEvent

PASSWORD = "correct horse battery staple"


@pytest.fixture
def moving_clock(monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr(IdleTimeoutMiddleware, "clock", staticmethod(lambda: now[0]))
    return now


def idle_too_long(now) -> None:
    now[0] += settings.SESSION_IDLE_MINUTES * 60 + 1


@pytest.fixture
def nurse(clinic):
    clinic.nurse.set_password(PASSWORD)
    clinic.nurse.save()
    return clinic.nurse


def login(client, user, next_url: str):
    return client.post(
        reverse("accounts:login"),
        {"username": user.username, "password": PASSWORD, "next": next_url},
    )


def measurement_post(client, clinic, **extra):
    chart = reverse("patients:detail", args=[clinic.alice.pk])
    url = reverse("patients:measurement-add", args=[clinic.alice.pk])
    data = {"measured_on": "2026-03-10", "weight_kg": "71.5", "height_cm": "", **extra}
    return client.post(url, data, HTTP_REFERER=f"http://testserver{chart}"), chart, url


def test_a_form_posted_after_expiry_is_kept_and_login_returns_to_its_page(
    client, clinic, nurse, moving_clock, fixed_clock
):
    client.force_login(nurse)
    client.get(reverse("patients:detail", args=[clinic.alice.pk]))
    idle_too_long(moving_clock)
    response, chart, url = measurement_post(client, clinic)
    login_url = reverse("accounts:login")
    assert response.status_code == 302
    assert response["Location"] == f"{login_url}?next={chart}"
    draft = FormDraft.objects.get(user=nurse)
    assert (draft.form_path, draft.page_path) == (url, chart)
    assert ["weight_kg", "71.5"] in draft.fields
    assert not [f for f in draft.fields if f[0] == "csrfmiddlewaretoken"]
    assert AuditEvent.objects.filter(object_type="form_draft", action="create").exists()
    # Logging in again goes to the chart (a GET page), not to the POST-only measurement URL.
    logged_in = login(client, nurse, chart)
    assert logged_in["Location"] == chart
    assert client.session[DRAFTS_SESSION_KEY] is True
    page = client.get(chart).content.decode()
    assert 'data-drafts-url="/accounts/drafts/"' in page
    kept = client.get(reverse("accounts:drafts"), {"page": chart}).json()["drafts"]
    assert [d["id"] for d in kept] == [draft.pk]
    assert kept[0]["form_path"] == url
    # Submitting the restored form deletes the draft and the page stops asking.
    measurement_post(client, clinic, _draft=str(draft.pk))
    assert not FormDraft.objects.exists()
    assert DRAFTS_SESSION_KEY not in client.session
    assert clinic.alice.measurements.filter(weight_kg="71.5").exists()


def test_a_post_without_a_session_returns_to_the_forms_page_after_login(client, clinic):
    response, chart, _url = measurement_post(client, clinic)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={chart}"


def test_a_post_only_url_is_never_the_next_page_even_without_a_referer(client, clinic):
    url = reverse("patients:measurement-add", args=[clinic.alice.pk])
    response = client.post(url, {"weight_kg": "70"})
    assert response["Location"] == f"{reverse('accounts:login')}?next={reverse('home')}"


def test_a_draft_is_not_kept_without_a_valid_csrf_token(clinic, nurse, moving_clock, fixed_clock):
    client = PersonaClient(enforce_csrf_checks=True)
    client.force_login(nurse)
    client.get(reverse("home"))
    idle_too_long(moving_clock)
    response, _chart, _url = measurement_post(client, clinic, csrfmiddlewaretoken="forged")
    assert response.status_code == 302
    assert not FormDraft.objects.exists()


def test_a_draft_is_offered_to_its_author_only(client, clinic, nurse, moving_clock, fixed_clock):
    client.force_login(nurse)
    client.get(reverse("home"))
    idle_too_long(moving_clock)
    _response, chart, _url = measurement_post(client, clinic)
    draft = FormDraft.objects.get()
    other = PersonaClient()
    other.force_login(clinic.prescriber)
    assert other.get(reverse("accounts:drafts"), {"page": chart}).json() == {"drafts": []}
    refused = other.post(reverse("accounts:draft-discard", args=[draft.pk]))
    assert refused.status_code == 404
    assert FormDraft.objects.filter(pk=draft.pk).exists()
    login(client, nurse, chart)
    assert client.post(reverse("accounts:draft-discard", args=[draft.pk])).status_code == 200
    assert not FormDraft.objects.exists()


def test_asking_how_long_is_left_does_not_extend_the_session(client, clinic, nurse, moving_clock):
    client.force_login(nurse)
    client.get(reverse("home"))
    idle = settings.SESSION_IDLE_MINUTES * 60
    moving_clock[0] += idle - 100
    status = client.get(reverse("accounts:session")).json()
    assert status == {"seconds_left": 100, "signed_in": True}
    moving_clock[0] += 50
    assert client.get(reverse("accounts:session")).json()["seconds_left"] == 50
    stayed = client.post(reverse("accounts:session")).json()
    assert stayed == {"seconds_left": idle, "signed_in": True}
    moving_clock[0] += idle - 10
    assert client.get(reverse("home")).status_code == 200


def test_the_status_check_after_expiry_reports_it_without_ending_the_session(
    client, clinic, nurse, moving_clock, fixed_clock
):
    client.force_login(nurse)
    client.get(reverse("home"))
    idle_too_long(moving_clock)
    assert client.get(reverse("accounts:session")).json() == {
        "seconds_left": 0,
        "signed_in": False,
    }
    # The session still knows who it was, so the late form post is kept for them.
    measurement_post(client, clinic)
    assert FormDraft.objects.filter(user=nurse).exists()


def test_pages_carry_the_idle_limit_for_the_warning_script(client, clinic, nurse):
    client.force_login(nurse)
    page = client.get(reverse("home")).content.decode()
    assert f'data-idle-seconds="{settings.SESSION_IDLE_MINUTES * 60}"' in page
    assert "accounts/idle.js" in page
    assert 'id="idle-stay"' in page
    assert "data-drafts-url" not in page


def test_login_never_redirects_to_a_post_only_url(client, clinic, nurse):
    post_only = reverse("patients:measurement-add", args=[clinic.alice.pk])
    page = client.get(reverse("accounts:login"), {"next": post_only}).content.decode()
    assert f'value="{post_only}"' not in page
    response = login(client, nurse, post_only)
    assert response["Location"] == reverse("home")
    chart = reverse("patients:detail", args=[clinic.alice.pk])
    client.logout()
    assert login(client, nurse, chart)["Location"] == chart


def test_a_self_posting_form_returns_to_itself_and_a_post_only_referer_is_skipped(
    client, clinic, nurse, moving_clock, fixed_clock
):
    client.force_login(nurse)
    client.get(reverse("home"))
    idle_too_long(moving_clock)
    form = reverse("treatment:screening-new", args=[clinic.alice.pk])
    response = client.post(form, {"weight_kg": "70"})  # no Referer: the form's own page
    assert response["Location"] == f"{reverse('accounts:login')}?next={form}"
    client.force_login(nurse)
    client.get(reverse("home"))
    idle_too_long(moving_clock)
    post_only = reverse("patients:measurement-add", args=[clinic.alice.pk])
    response = client.post(
        post_only, {"weight_kg": "70"}, HTTP_REFERER=f"http://testserver{post_only}"
    )
    assert response["Location"] == f"{reverse('accounts:login')}?next={reverse('home')}"


def test_signed_out_the_idle_endpoints_answer_401_and_show_or_discard_nothing(
    client, clinic, nurse, moving_clock, fixed_clock
):
    # They are exempt from the login redirect so a page can read a 401: that must not open them.
    client.force_login(nurse)
    client.get(reverse("home"))
    idle_too_long(moving_clock)
    _response, chart, _url = measurement_post(client, clinic)
    draft = FormDraft.objects.get()
    anonymous = PersonaClient()
    signed_out = {"seconds_left": 0, "signed_in": False}
    assert anonymous.get(reverse("accounts:session")).status_code == 401
    assert anonymous.post(reverse("accounts:session")).json() == signed_out
    listed = anonymous.get(reverse("accounts:drafts"), {"page": chart})
    assert (listed.status_code, listed.json()) == (401, signed_out)
    discard = anonymous.post(reverse("accounts:draft-discard", args=[draft.pk]))
    assert discard.status_code == 401
    assert FormDraft.objects.filter(pk=draft.pk).exists()
