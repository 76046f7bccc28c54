"""POST QuestionnaireResponse (PHQ-9, GAD-7, PCL-5) and transaction Bundles of them."""

from __future__ import annotations

import json

from ketaclinic.apps.alerts.models import Alert
from ketaclinic.apps.assessments.models import Assessment

PHQ9_ITEMS = ("44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5")
PHQ9_ITEMS += ("44253-3", "44260-8")
LOINC_ANSWERS = ("LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9")


def phq9_response(patient_id, values, authored="2026-03-10T09:00:00-04:00"):
    return {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "questionnaire": "http://loinc.org/q/44249-1",
        "subject": {"reference": f"Patient/{patient_id}"},
        "authored": authored,
        "item": [
            {
                "linkId": f"/{code}",
                "answer": [
                    {"valueCoding": {"system": "http://loinc.org", "code": LOINC_ANSWERS[value]}}
                ],
            }
            for code, value in zip(PHQ9_ITEMS, values, strict=True)
        ],
    }


def gad7_response(patient_id, values):
    return {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "questionnaire": "https://ketaclinic.org/fhir/Questionnaire/gad7",
        "subject": {"reference": f"Patient/{patient_id}"},
        "authored": "2026-03-10T09:05:00Z",
        "item": [
            {"linkId": f"item{n}", "answer": [{"valueInteger": v}]}
            for n, v in enumerate(values, start=1)
        ],
    }


def post(client, user, path, body):
    client.force_login(user)
    return client.post(f"/fhir/{path}", json.dumps(body), content_type="application/fhir+json")


def test_a_positive_item_9_phq9_import_is_scored_stored_and_raises_the_alert(
    client, clinic, fixed_clock
):
    values = [2, 2, 1, 1, 1, 1, 1, 0, 2]  # item 9 answered "more than half the days"
    response = post(
        client, clinic.nurse, "QuestionnaireResponse", phq9_response(clinic.alice.pk, values)
    )
    assert response.status_code == 201, response.content
    assessment = Assessment.objects.get(patient=clinic.alice)
    assert response["Location"].endswith(f"/fhir/QuestionnaireResponse/{assessment.pk}")
    assert assessment.instrument == "phq9"
    assert assessment.total == 11
    assert assessment.source == "self_report"
    alert = Alert.objects.get(patient=clinic.alice)
    assert alert.kind == "suicidal_ideation"
    assert alert.source_id == str(assessment.pk)
    assert response.json()["item"][8]["answer"][0]["valueCoding"]["code"] == "LA6570-1"
    read = client.get(f"/fhir/Observation/as-{assessment.pk}").json()
    assert read["valueInteger"] == 11


def test_a_gad7_with_our_item_ids_and_integers_is_imported(client, clinic, fixed_clock):
    response = post(
        client, clinic.prescriber, "QuestionnaireResponse", gad7_response(clinic.alice.pk, [1] * 7)
    )
    assert response.status_code == 201
    assert Assessment.objects.get().total == 7
    assert not Alert.objects.exists()


def test_bad_responses_are_refused_naming_what_is_wrong(client, clinic, fixed_clock):
    no_time = phq9_response(clinic.alice.pk, [0] * 9)
    del no_time["authored"]
    response = post(client, clinic.nurse, "QuestionnaireResponse", no_time)
    assert response.status_code == 422
    assert response.json()["issue"][0]["expression"] == ["QuestionnaireResponse.authored"]
    unknown_item = gad7_response(clinic.alice.pk, [1] * 7)
    unknown_item["item"][0]["linkId"] = "mood"
    response = post(client, clinic.nurse, "QuestionnaireResponse", unknown_item)
    assert response.json()["issue"][0]["expression"] == ["QuestionnaireResponse.item[0].linkId"]
    short = gad7_response(clinic.alice.pk, [1] * 6)
    assert post(client, clinic.nurse, "QuestionnaireResponse", short).status_code == 422
    madrs = gad7_response(clinic.alice.pk, [1] * 7)
    madrs["questionnaire"] = "https://ketaclinic.org/fhir/Questionnaire/madrs"
    assert post(client, clinic.nurse, "QuestionnaireResponse", madrs).status_code == 422
    assert not Assessment.objects.exists()


def test_import_follows_the_pages_access(client, clinic, fixed_clock):
    body = gad7_response(clinic.alice.pk, [1] * 7)
    assert post(client, clinic.nurse_b, "QuestionnaireResponse", body).status_code == 404
    assert post(client, clinic.front_desk, "QuestionnaireResponse", body).status_code == 403
    assert post(client, clinic.nurse, "Observation", body).status_code == 405
    assert not Assessment.objects.exists()


def test_a_transaction_bundle_is_stored_whole_or_not_at_all(client, clinic, fixed_clock):
    def entry(resource):
        return {"resource": resource, "request": {"method": "POST", "url": "QuestionnaireResponse"}}

    good = [
        entry(gad7_response(clinic.alice.pk, [1] * 7)),
        entry(phq9_response(clinic.alice.pk, [0] * 9)),
    ]
    bundle = {"resourceType": "Bundle", "type": "transaction", "entry": good}
    response = post(client, clinic.nurse, "", bundle)
    assert response.status_code == 200
    assert [e["response"]["status"] for e in response.json()["entry"]] == ["201 Created"] * 2
    assert Assessment.objects.count() == 2
    bad = [
        entry(gad7_response(clinic.alice.pk, [2] * 7)),
        entry(gad7_response(clinic.alice.pk, [9] * 7)),
    ]
    response = post(client, clinic.nurse, "", {**bundle, "entry": bad})
    assert response.status_code == 422
    assert response.json()["issue"][0]["expression"][0].startswith("Bundle.entry[1]")
    assert Assessment.objects.count() == 2
