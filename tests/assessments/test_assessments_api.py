"""The assessments and scales API: strict input, 422 naming the item, scored by the core,
the same access rules and alerts as the pages, every endpoint in the OpenAPI."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from tests.assessments.conftest import ALERT_TRIGGERS, baseline_answers
from tests.personas import PERSONAS

from ketaclinic.apps.alerts.models import Alert
from ketaclinic.apps.assessments.models import Assessment
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.clinical.scales import describe, list_scales

ENTERERS = {"nurse", "prescriber", "therapist", "director"}
VIEWERS = ENTERERS
TAKEN = "2026-03-10T09:30:00-04:00"


def expected(persona, allowed, ok=200):
    if persona == "anonymous":
        return 401
    if persona == "nurse_b":
        return 404 if "nurse" in allowed else 403
    return ok if persona in allowed else 403


@pytest.fixture
def api(client, clinic):
    def as_persona(persona="nurse"):
        user = clinic.persona(persona)
        if user is not None:
            client.force_login(user)
        return client

    return as_persona


def post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def create_body(clinic, scale_id="phq9", **overrides):
    return {
        "patient_id": clinic.alice.pk,
        "instrument": scale_id,
        "answers": baseline_answers(scale_id, **overrides),
        "taken_at": TAKEN,
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_creating_follows_role_and_site(api, clinic, fixed_clock, persona):
    response = post(api(persona), "/api/v1/assessments", create_body(clinic))
    assert response.status_code == expected(persona, ENTERERS, ok=201)


@pytest.mark.parametrize("persona", PERSONAS)
def test_listing_follows_role_and_site(api, clinic, fixed_clock, persona):
    response = api(persona).get(f"/api/v1/assessments?patient_id={clinic.alice.pk}")
    assert response.status_code == expected(persona, VIEWERS)


def test_a_created_assessment_is_scored_by_the_core(api, clinic, fixed_clock):
    response = post(api(), "/api/v1/assessments", create_body(clinic, item1=3, item2=2))
    assert response.status_code == 201
    body = response.json()
    assert (body["total"], body["max_total"], body["band"]) == (5, 27, "mild")
    assert body["source"] == "clinician"
    taken = dt.datetime.fromisoformat(body["taken_at"])
    assert taken == dt.datetime(2026, 3, 10, 13, 30, tzinfo=dt.UTC)
    assert body["superseded_by_id"] is None
    assert Assessment.objects.get().entered_by == clinic.nurse


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"answers": {"item1": 1}}, "item2", "MissingItem"),
        ({"answers": baseline_answers("phq9", item9=4)}, "item9", "OutOfRange"),
        ({"answers": baseline_answers("phq9", item10=9)}, "item10", "OutOfRange"),
        ({"answers": {**baseline_answers("phq9"), "item11": 0}}, "item11", "UnknownCode"),
        ({"instrument": "phq10"}, "instrument", "InputError"),
    ],
)
def test_bad_answers_are_422_naming_the_item(api, clinic, fixed_clock, change, field, code):
    response = post(api(), "/api/v1/assessments", create_body(clinic) | change)
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert (error["field"], error["code"]) == (field, code)
    assert Assessment.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"answers": {**baseline_answers("phq9"), "item1": "1"}}, "answers.item1"),
        ({"answers": {**baseline_answers("phq9"), "item1": 1.0}}, "answers.item1"),
        ({"answers": {**baseline_answers("phq9"), "item1": True}}, "answers.item1"),
        ({"taken_at": "2026-03-10T09:30:00"}, "taken_at"),
        ({"surprise": 1}, "surprise"),
        ({"answers": [0, 0, 0]}, "answers"),
    ],
)
def test_the_input_shape_is_strict(api, clinic, fixed_clock, change, field):
    response = post(api(), "/api/v1/assessments", create_body(clinic) | change)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]


def test_a_session_of_another_patient_is_refused(api, clinic, fixed_clock):
    response = post(api(), "/api/v1/assessments", create_body(clinic) | {"session_id": 999999})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "session_id"


@pytest.mark.parametrize(("rule", "trigger"), list(ALERT_TRIGGERS.items()), ids=str)
def test_through_the_api_every_alert_rule_raises_one_alert(
    api, clinic, fixed_clock, alice_course, rule, trigger
):
    body = create_body(clinic, rule[0], **trigger)
    response = post(api("prescriber"), "/api/v1/assessments", body)
    assert response.status_code == 201
    assert response.json()["has_alert"] is True
    alert = Alert.objects.get()
    assert alert.source_id == str(response.json()["id"])
    assert alert.assigned_to == clinic.prescriber


def test_listing_is_newest_first_filtered_and_audited(api, clinic, fixed_clock):
    client = api()
    post(client, "/api/v1/assessments", create_body(clinic, "gad7"))
    post(client, "/api/v1/assessments", create_body(clinic) | {"taken_at": "2026-03-10T10:00:00Z"})
    body = client.get(f"/api/v1/assessments?patient_id={clinic.alice.pk}").json()
    assert [a["instrument"] for a in body["items"]] == ["gad7", "phq9"]
    only = client.get(f"/api/v1/assessments?patient_id={clinic.alice.pk}&instrument=phq9").json()
    assert [a["instrument"] for a in only["items"]] == ["phq9"]
    bad = client.get(f"/api/v1/assessments?patient_id={clinic.alice.pk}&instrument=nope")
    assert bad.status_code == 422
    assert AuditEvent.objects.filter(action=Action.VIEW, object_type="assessment").count() == 2


def test_the_list_endpoint_query_count_does_not_grow(
    api, clinic, fixed_clock, django_assert_num_queries
):
    client = api()
    post(client, "/api/v1/assessments", create_body(clinic))
    path = f"/api/v1/assessments?patient_id={clinic.alice.pk}"
    client.get(path)
    with django_assert_num_queries(6) as counted:
        client.get(path)
    first = len(counted)  # read now: each request resets the connection's query log
    for _ in range(6):
        post(client, "/api/v1/assessments", create_body(clinic, "gad7"))
    with django_assert_num_queries(first):
        assert len(client.get(path).json()["items"]) == 7


def test_one_assessment_and_its_correction(api, clinic, fixed_clock):
    client = api("prescriber")
    created = post(client, "/api/v1/assessments", create_body(clinic, item1=3)).json()
    got = client.get(f"/api/v1/assessments/{created['id']}")
    assert got.json()["total"] == 3
    corrected = post(
        client,
        f"/api/v1/assessments/{created['id']}/corrections",
        {"answers": baseline_answers("phq9", item1=1), "reason": "Misread the paper form"},
    )
    assert corrected.status_code == 201
    assert corrected.json()["corrects_id"] == created["id"]
    original = client.get(f"/api/v1/assessments/{created['id']}").json()
    assert original["superseded_by_id"] == corrected.json()["id"]
    twice = post(
        client,
        f"/api/v1/assessments/{created['id']}/corrections",
        {"answers": baseline_answers("phq9"), "reason": "again"},
    )
    assert twice.status_code == 409
    assert twice.json()["errors"][0]["code"] == "conflict"
    nurse_b = api("nurse_b").get(f"/api/v1/assessments/{created['id']}")
    assert nurse_b.status_code == 404


def test_scales_are_listed_and_described_for_any_staff(api, clinic):
    listed = api("front_desk").get("/api/v1/scales", {"page_size": 100}).json()["items"]
    assert [s["id"] for s in listed] == [i.id for i in list_scales()]
    phq9 = next(s for s in listed if s["id"] == "phq9")
    assert (phq9["items"], phq9["max_total"], phq9["rater"]) == (10, 27, "self")
    assert api().get("/api/v1/scales/gad7").json() == json.loads(json.dumps(describe("gad7")))
    assert api().get("/api/v1/scales/nope").status_code == 404


def test_scales_need_a_login(client):
    assert client.get("/api/v1/scales").status_code == 401


def test_scoring_without_storing(api, clinic):
    answers = {"item1": 1, "item2": 0, "item3": 2, "item4": 1, "item5": 0}
    answers |= {"item6": 0, "item7": 1, "item8": 0, "item9": 1}
    response = post(api("front_desk"), "/api/v1/scales/phq9/score", {"answers": answers})
    assert response.status_code == 200
    body = response.json()
    # 1+0+2+1+0+0+1+0+1 = 6: mild, and item 9 > 0 raises the alert flag.
    assert (body["total"], body["band"], body["has_alert"]) == (6, "mild", True)
    assert body["flags"][0]["code"] == "suicidal_ideation"
    assert Assessment.objects.count() == 0
    assert Alert.objects.count() == 0
    missing = post(api(), "/api/v1/scales/gad7/score", {"answers": {"item1": 1}})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "item2"
    assert post(api(), "/api/v1/scales/nope/score", {"answers": {}}).status_code == 404


def test_every_endpoint_is_in_the_openapi(api):
    paths = api().get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/assessments",
        "/api/v1/assessments/{assessment_id}",
        "/api/v1/assessments/{assessment_id}/corrections",
        "/api/v1/scales",
        "/api/v1/scales/{scale_id}",
        "/api/v1/scales/{scale_id}/score",
    ):
        assert path in paths
    assert set(paths["/api/v1/assessments"]) == {"get", "post"}
