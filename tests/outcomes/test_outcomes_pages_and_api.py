"""Who may see what (every persona), what is audited, and the queries the dashboard costs."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from tests.outcomes.outcome_factories import build_cohort
from tests.personas import PERSONAS

from ketaclinic.apps.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

COHORT = {"prescriber", "director"}
PATIENT_READERS = {"nurse", "prescriber", "therapist", "director"}
PRINTERS = {"prescriber", "director"}
EXPORTERS = {"director"}


@pytest.fixture
def cohort(clinic, fixed_clock):
    return build_cohort(clinic)


@pytest.fixture
def login(client, clinic):
    def as_persona(persona: str):
        user = clinic.persona(persona)
        if user is not None:
            client.force_login(user)
        return client

    return as_persona


def expected(persona: str, allowed: set[str], *, patient_page: bool = False) -> int:
    if persona == "anonymous":
        return 302
    if persona == "nurse_b" and patient_page and "nurse" in allowed:
        return 404
    return 200 if persona in allowed else 403


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_dashboard_is_for_the_director_and_prescribers(login, cohort, persona):
    response = login(persona).get(reverse("outcomes:dashboard"))
    assert response.status_code == expected(persona, COHORT)


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_director_exports_the_dataset(login, cohort, persona):
    response = login(persona).get(reverse("outcomes:dataset"))
    assert response.status_code == expected(persona, EXPORTERS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_progress_reports_are_printed_by_prescribers_and_the_director(
    login, cohort, clinic, persona
):
    response = login(persona).get(reverse("outcomes:report", args=[clinic.alice.pk]))
    assert response.status_code == expected(persona, PRINTERS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_cohort_api_follows_the_dashboards_permissions(login, cohort, persona):
    response = login(persona).get("/api/v1/outcomes/cohort")
    allowed = 200 if persona in COHORT else 403
    assert response.status_code == (401 if persona == "anonymous" else allowed)


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_patients_outcomes_api_is_for_clinical_readers_at_the_site(
    login, cohort, clinic, persona
):
    response = login(persona).get(f"/api/v1/outcomes/patients/{clinic.alice.pk}")
    if persona == "anonymous":
        assert response.status_code == 401
    elif persona == "nurse_b":
        assert response.status_code == 404
    else:
        assert response.status_code == (200 if persona in PATIENT_READERS else 403)


def test_nurse_b_sees_nothing_of_site_a_on_the_chart(login, cohort, clinic):
    assert (
        login("nurse_b").get(reverse("patients:detail", args=[clinic.alice.pk])).status_code == 404
    )
    body = login("nurse_b").get(reverse("patients:detail", args=[clinic.bob.pk])).content.decode()
    assert 'id="outcomes-h"' in body
    assert "Rivera" not in body


def test_the_chart_shows_the_patients_outcomes_with_their_rules(login, cohort, clinic):
    body = login("nurse").get(reverse("patients:detail", args=[clinic.alice.pk])).content.decode()
    assert 'id="outcomes-h"' in body
    assert "phq9 total ≤ 10" in body
    assert "Progress report" not in body  # nurses read, they do not print
    assert AuditEvent.objects.filter(object_type="course_outcome", patient_id=clinic.alice.pk)


def test_the_dashboard_shows_both_denominators_and_the_claims(login, cohort):
    response = login("director").get(reverse("outcomes:dashboard"))
    s = response.context["s"]
    assert (s.started, s.response.intent_to_treat.events, s.response.completers.total) == (5, 2, 4)
    body = response.content.decode()
    assert "Intent to treat" in body
    assert "Completers" in body
    # 2 of 5 is 40.0% (Wilson 11.8% to 76.9%): the interval includes 70%, so inconclusive.
    assert "“70% success” is not shown either way" in body
    assert "response rate is 40.0%" in body
    assert body.count('class="whisker"') >= 8
    assert 'class="km-curve"' in body
    assert 'class="km-band"' in body
    assert "style=" not in body
    assert "<script>" not in body
    event = AuditEvent.objects.get(object_type="outcomes_cohort")
    assert event.detail["filters"]["site_ids"] == [response.wsgi_request.user.sites.get().pk]


def test_the_dashboard_filters_by_route(login, cohort):
    response = login("director").get(reverse("outcomes:dashboard"), {"route": "esketamine"})
    assert response.context["s"].started == 1


def test_a_bad_filter_is_a_422_naming_the_field(login, cohort):
    response = login("director").get(
        reverse("outcomes:dashboard"), {"started_from": "2026-03-01", "started_to": "2026-02-01"}
    )
    assert response.status_code == 422
    assert "must be on or after" in response.content.decode()
    api = login("director").get("/api/v1/outcomes/cohort", {"route": "laser"})
    assert api.status_code == 422
    assert api.json()["errors"][0]["field"] == "route"
    typo = login("director").get("/api/v1/outcomes/cohort", {"rout": "iv"})
    assert typo.status_code == 422
    assert typo.json()["errors"][0] == {
        "field": "rout",
        "message": "is not a filter",
        "code": "unknown",
    }


def test_the_director_cannot_ask_for_another_sites_cohort(login, cohort, clinic):
    response = login("director").get("/api/v1/outcomes/cohort", {"site": clinic.site_b.pk})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "site_id"


def test_the_cohort_api_gives_the_dashboards_numbers(login, cohort):
    body = login("prescriber").get("/api/v1/outcomes/cohort", {"route": "iv"}).json()
    assert body["started"] == 4
    assert body["response"]["intent_to_treat"]["events"] == 2
    assert body["response"]["completers"]["total"] == 3
    assert body["lost_to_follow_up"]["events"] == 1
    assert body["claims"][0]["verdict"] == "inconclusive"  # 2 of 4: 15.0% to 85.0%


def test_the_dashboards_queries_do_not_grow_with_the_cohort(
    login, cohort, clinic, django_assert_num_queries
):
    client = login("director")
    client.get(reverse("outcomes:dashboard"))
    # session, user, permissions (2), sites, the rows' version (cohort cells), counts, life
    # table, weekly histogram,
    # the audit event (one insert), open alerts in the menu,
    # the filter form's choices (sites, prescribers). Nothing per course or per score.
    with django_assert_num_queries(QUERIES_DASHBOARD):
        client.get(reverse("outcomes:dashboard"), {"route": "iv"})


QUERIES_DASHBOARD = 11  # the access load is one query (accounts/scoping.py)


def test_the_dataset_export_is_de_identified_and_audited(login, cohort, clinic):
    response = login("director").get(reverse("outcomes:dataset"))
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 5  # site A only
    for forbidden in ("Rivera", "Alice", "K000001", "1984", "2026-01-05"):
        assert forbidden not in text
    assert {"age_band", "sex", "route", "protocol", "responded"} <= set(rows[0])
    event = AuditEvent.objects.get(object_type="outcomes_dataset")
    assert (event.action, event.detail["format"]) == ("export", "csv")


def test_the_progress_report_is_a_pdf_and_audited_as_an_export(login, cohort, clinic):
    response = login("prescriber").get(
        reverse("outcomes:report", args=[clinic.alice.pk]), {"for": "referrer"}
    )
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    event = AuditEvent.objects.get(object_type="outcomes_progress_report")
    assert (event.action, event.patient_id, event.detail["for"]) == (
        "export",
        clinic.alice.pk,
        "referrer",
    )


def test_only_the_director_recomputes_and_it_is_audited(login, cohort):
    assert login("prescriber").post(reverse("outcomes:refresh")).status_code == 403
    response = login("director").post(reverse("outcomes:refresh"))
    assert response.status_code == 302
    assert AuditEvent.objects.get(object_type="outcomes_refresh").detail == {"courses": 6}
