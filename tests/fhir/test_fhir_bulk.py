"""Bulk Data export: kick-off, status polling, NDJSON files, de-identification, cleanup."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from tests.personas import make_user

from ketaclinic.apps.accounts.choices import Role
from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.web import clock
from ketaclinic.fhir.choices import ExportStatus
from ketaclinic.fhir.models import ExportJob

ASYNC = {"HTTP_PREFER": "respond-async"}


@pytest.fixture(autouse=True)
def _exports_in_tmp(settings, tmp_path):
    settings.FHIR_EXPORT_DIR = tmp_path / "exports"
    settings.FHIR_EXPORT_RUNNER = "command"


def kick_off(client, user, path="$export", **params):
    client.force_login(user)
    response = client.get(f"/fhir/{path}", params, **ASYNC)
    assert response.status_code == 202, response.content
    return response["Content-Location"]


def run_to_completion(client, status_url):
    assert client.get(status_url).status_code == 202  # queued: not done yet
    call_command("fhir_exports", "run")
    response = client.get(status_url)
    assert response.status_code == 200
    return response.json()


def lines(client, manifest):
    out = {}
    for item in manifest["output"]:
        response = client.get(item["url"])
        assert response["Content-Type"] == "application/fhir+ndjson"
        body = b"".join(response.streaming_content).decode()
        parsed = [json.loads(line) for line in body.splitlines()]
        assert len(parsed) == item["count"]
        assert {r["resourceType"] for r in parsed} == {item["type"]}
        out[item["type"]] = parsed
    return out


def test_a_system_export_runs_to_completion_and_every_line_parses(client, clinic, charted):
    status_url = kick_off(client, clinic.director)
    waiting = client.get(status_url)
    assert waiting["X-Progress"].startswith("0 of")
    manifest = run_to_completion(client, status_url)
    assert manifest["requiresAccessToken"] is True
    resources = lines(client, manifest)
    assert [p["id"] for p in resources["Patient"]] == [str(clinic.alice.pk)]  # site A only
    assert f"as-{charted.phq9.pk}" in {o["id"] for o in resources["Observation"]}
    assert "Practitioner" in resources
    assert "extension" not in manifest
    exports = AuditEvent.objects.filter(object_type="fhir.export", action="export")
    assert exports.count() == 1 + len(manifest["output"])  # the kick-off and each download


def test_type_and_since_narrow_the_export(client, clinic, charted):
    status_url = kick_off(client, clinic.director, _type="Observation,Encounter")
    manifest = run_to_completion(client, status_url)
    assert {item["type"] for item in manifest["output"]} == {"Observation", "Encounter"}
    # Some timestamps are the database's own (auto_now_add), so "later" is far ahead.
    status_url = kick_off(
        client, clinic.director, _type="Observation", _since="2100-01-01T00:00:00Z"
    )
    assert run_to_completion(client, status_url)["output"] == []
    status_url = kick_off(
        client, clinic.director, _type="Observation", _since="2000-01-01T00:00:00Z"
    )
    assert run_to_completion(client, status_url)["output"][0]["count"] >= 9


def test_a_group_export_is_one_sites_patients(client, clinic, charted):
    status_url = kick_off(client, clinic.director, f"Group/site-{clinic.site_a.pk}/$export")
    resources = lines(client, run_to_completion(client, status_url))
    assert {p["id"] for p in resources["Patient"]} == {str(clinic.alice.pk)}
    assert "Practitioner" not in resources  # patient compartment only
    client.force_login(clinic.director)
    other = client.get(f"/fhir/Group/site-{clinic.site_b.pk}/$export", **ASYNC)
    assert other.status_code == 404


def test_the_deidentified_export_has_no_names_exact_birth_dates_or_real_ids(
    client, clinic, charted
):
    status_url = kick_off(client, clinic.director, "Patient/$export", _deidentified="true")
    manifest = run_to_completion(client, status_url)
    statement = next(iter(manifest["extension"].values()))
    assert "shifted" in statement["dateShift"]
    resources = lines(client, manifest)
    (patient,) = resources["Patient"]
    assert set(patient) <= {
        "resourceType",
        "id",
        "meta",
        "active",
        "gender",
        "birthDate",
        "managingOrganization",
    }
    assert patient["birthDate"] == str(clinic.alice.date_of_birth.year)
    assert patient["id"] != str(clinic.alice.pk)
    (encounter,) = resources["Encounter"]
    assert encounter["id"] != str(charted.session.pk)
    assert encounter["subject"] == {"reference": f"Patient/{patient['id']}"}
    observation_ids = {o["id"] for o in resources["Observation"]}
    assert f"as-{charted.phq9.pk}" not in observation_ids
    (response,) = resources["QuestionnaireResponse"]
    (phq9,) = [o for o in resources["Observation"] if o.get("derivedFrom")]
    assert phq9["derivedFrom"] == [{"reference": f"QuestionnaireResponse/{response['id']}"}]
    shifted_start = dt.datetime.fromisoformat(encounter["period"]["start"])
    shift = shifted_start - charted.session.checked_in_at
    assert shift.seconds == 0  # whole days
    assert 0 < abs(shift.days) <= 182 or shift.days == 0
    vitals = [o for o in resources["Observation"] if o.get("component")]
    first = dt.datetime.fromisoformat(vitals[0]["effectiveDateTime"])
    assert first - shifted_start == charted.vitals[0].taken_at - charted.session.checked_in_at
    everything = json.dumps(resources)
    assert clinic.alice.family_name not in everything
    assert clinic.alice.mrn not in everything
    assert "Practitioner/" not in everything


def test_only_the_director_may_export_and_kick_off_needs_respond_async(client, clinic, charted):
    client.force_login(clinic.nurse)
    assert client.get("/fhir/$export", **ASYNC).status_code == 403
    client.force_login(clinic.director)
    assert client.get("/fhir/$export").status_code == 400
    bad_type = client.get("/fhir/Patient/$export", {"_type": "Practitioner"}, **ASYNC)
    assert bad_type.status_code == 400
    assert bad_type.json()["issue"][0]["expression"] == ["_type"]
    assert client.get("/fhir/$export", {"_since": "yesterday"}, **ASYNC).status_code == 400


def test_another_user_cannot_poll_or_download_someone_elses_export(client, clinic, charted):
    status_url = kick_off(client, clinic.director)
    manifest = run_to_completion(client, status_url)
    client.force_login(clinic.nurse)
    assert client.get(status_url).status_code == 403
    other_director = make_user("dana", Role.MEDICAL_DIRECTOR, [clinic.site_a])
    client.force_login(other_director)
    assert client.get(status_url).status_code == 404
    assert client.get(manifest["output"][0]["url"]).status_code == 404
    # The status URL takes DELETE without a CSRF token: another user still cannot cancel it.
    assert client.delete(status_url).status_code == 404
    client.force_login(clinic.director)
    assert client.get(status_url).status_code == 200


def test_a_cancelled_export_is_gone(client, clinic, charted):
    status_url = kick_off(client, clinic.director)
    assert client.delete(status_url).status_code == 202
    call_command("fhir_exports", "run")
    assert client.get(status_url).status_code == 404


def test_an_abandoned_job_resumes_after_the_types_it_finished(client, clinic, charted, settings):
    status_url = kick_off(client, clinic.director, _type="Patient,Encounter")
    job = ExportJob.objects.get()
    directory = settings.FHIR_EXPORT_DIR / str(job.pk)
    directory.mkdir(parents=True)
    (directory / "Patient.ndjson").write_text('{"resourceType":"Patient","id":"kept"}\n')
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.RUNNING,
        heartbeat_at=clock.now() - dt.timedelta(hours=1),
        output=[{"type": "Patient", "file": "Patient.ndjson", "count": 1}],
    )
    call_command("fhir_exports", "run")
    resources = lines(client, client.get(status_url).json())
    assert resources["Patient"] == [{"resourceType": "Patient", "id": "kept"}]
    assert len(resources["Encounter"]) == 1


def test_expired_exports_are_deleted(client, clinic, charted, settings):
    status_url = kick_off(client, clinic.director)
    run_to_completion(client, status_url)
    job = ExportJob.objects.get()
    directory = settings.FHIR_EXPORT_DIR / str(job.pk)
    assert any(directory.iterdir())
    previous = clock.install(clock.FixedClock(job.expires_at + dt.timedelta(seconds=1)))
    try:
        call_command("fhir_exports", "cleanup")
    finally:
        clock.install(previous)
    assert not directory.exists()
    assert client.get(status_url).status_code == 404
