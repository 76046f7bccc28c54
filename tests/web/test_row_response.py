"""``row_response`` answers exactly what django-ninja's validation round trip would."""

from __future__ import annotations

import json

from ninja.responses import NinjaJSONEncoder

from ketaclinic.apps.patients.api import PatientOut


def test_the_patient_read_answers_byte_for_byte_what_ninja_would(client, clinic):
    patient = clinic.alice
    patient.pronouns = ""  # an empty column, and one with a character JSON escapes
    patient.family_name = 'O"Brien-Łukasz'
    patient.save()
    patient.refresh_from_db()
    client.force_login(clinic.nurse)
    response = client.get(f"/api/v1/patients/{patient.pk}")
    ninja = json.dumps(PatientOut.model_validate(patient).model_dump(), cls=NinjaJSONEncoder)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.content == ninja.encode()
    assert json.loads(response.content)["family_name"] == 'O"Brien-Łukasz'
