"""_sort, _revinclude and the Appointment resource; search query counts that do not grow
with the page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.charting.factories import make_session

from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.charting.models import VitalSign
from ketaclinic.apps.treatment.choices import SessionStatus
from ketaclinic.apps.treatment.models import Session


def get(client, user, path, **params):
    client.force_login(user)
    return client.get(f"/fhir/{path}", params)


def entries(bundle, mode="match"):
    return [
        f"{e['resource']['resourceType']}/{e['resource']['id']}"
        for e in bundle.get("entry", [])
        if e["search"]["mode"] == mode
    ]


def test_sort_by_date_orders_observations_across_their_sources_both_ways(client, clinic, charted):
    ascending = get(client, clinic.nurse, "Observation", patient=clinic.alice.pk, _sort="date")
    times = [
        e["resource"]["effectiveDateTime"] for e in ascending.json()["entry"]
    ]  # vital signs at +10 and +40 minutes, the PHQ-9 at the start, the MOAA/S at +30
    assert times == sorted(times)  # the weight (a day) first, then the session's times
    descending = get(client, clinic.nurse, "Observation", patient=clinic.alice.pk, _sort="-date")
    assert entries(descending.json())[:9] == [
        *(f"Observation/{kind}-{charted.vitals[1].pk}" for kind in ("bp", "hr", "spo2")),
        f"Observation/se-{charted.moaas.pk}",
        *(f"Observation/{kind}-{charted.vitals[0].pk}" for kind in ("bp", "hr", "spo2", "rr")),
        f"Observation/as-{charted.phq9.pk}",
    ]


def test_sorted_pages_follow_one_another_without_gaps_or_repeats(client, clinic, charted):
    everything = entries(
        get(client, clinic.nurse, "Observation", patient=clinic.alice.pk, _sort="-date").json()
    )
    paged = []
    for offset in range(0, len(everything), 3):
        page = get(
            client,
            clinic.nurse,
            "Observation",
            patient=clinic.alice.pk,
            _sort="-date",
            _count=3,
            _offset=offset,
        ).json()
        assert page["total"] == len(everything)
        paged += entries(page)
    assert paged == everything


def test_sort_by_last_updated_and_by_an_unsupported_key(client, clinic, charted):
    bundle = get(client, clinic.nurse, "Provenance", patient=clinic.alice.pk, _sort="-_lastUpdated")
    stamps = [e["resource"]["meta"]["lastUpdated"] for e in bundle.json()["entry"]]
    assert stamps == sorted(stamps, reverse=True)
    refused = get(client, clinic.nurse, "Observation", _sort="code")
    assert refused.status_code == 400
    assert refused.json()["issue"][0]["expression"] == ["_sort"]
    assert get(client, clinic.nurse, "Observation", _sort="date,code").status_code == 400


def test_revinclude_brings_the_provenance_of_each_observation(client, clinic, charted):
    vital = charted.vitals[0]
    bundle = get(
        client,
        clinic.nurse,
        "Observation",
        _id=f"bp-{vital.pk},hr-{vital.pk}",
        _revinclude="Provenance:target",
    ).json()
    assert entries(bundle) == [f"Observation/bp-{vital.pk}", f"Observation/hr-{vital.pk}"]
    assert entries(bundle, "include") == [f"Provenance/vs-{vital.pk}"]


def test_revinclude_of_a_response_brings_its_scored_total_and_provenance(client, clinic, charted):
    bundle = get(
        client,
        clinic.nurse,
        "QuestionnaireResponse",
        patient=clinic.alice.pk,
        _revinclude=["Provenance:target", "Observation:derived-from"],
    ).json()
    assert entries(bundle) == [f"QuestionnaireResponse/{charted.phq9.pk}"]
    assert entries(bundle, "include") == [
        f"Provenance/as-{charted.phq9.pk}",
        f"Observation/as-{charted.phq9.pk}",
    ]
    refused = get(client, clinic.nurse, "Patient", _revinclude="Provenance:target")
    assert refused.status_code == 400


def test_revinclude_shows_nothing_a_read_would_refuse(client, clinic, charted):
    # Front desk reads weights but not session charts (vital signs and their Provenance).
    bundle = get(
        client,
        clinic.front_desk,
        "Observation",
        patient=clinic.alice.pk,
        _revinclude="Provenance:target",
    ).json()
    found = entries(bundle) + entries(bundle, "include")
    assert found, "the weight"
    assert not [ref for ref in found if ref.split("/")[1].split("-")[0] in ("bp", "vs", "as")]


def test_an_appointment_is_the_session_as_booked(client, clinic, charted):
    session = charted.session
    resource = get(client, clinic.nurse, f"Appointment/{session.pk}").json()
    assert resource["status"] == "fulfilled"  # discharged
    assert resource["start"] == session.planned_start.isoformat()
    end = session.planned_start + dt.timedelta(minutes=session.planned_minutes)
    assert resource["end"] == end.isoformat()
    actors = [p["actor"]["reference"] for p in resource["participant"]]
    assert actors[:3] == [
        f"Patient/{clinic.alice.pk}",
        f"Practitioner/{session.course.prescriber_id}",
        f"Location/site-{session.site_id}",
    ]
    event = AuditEvent.objects.filter(object_type="fhir.Appointment").latest("position")
    assert event.action == "view"
    assert event.patient_id == clinic.alice.pk


@pytest.mark.parametrize(
    ("status", "fhir"),
    [
        (SessionStatus.PLANNED, "booked"),
        (SessionStatus.CHECKED_IN, "checked-in"),
        (SessionStatus.DOSING, "arrived"),
        (SessionStatus.DISCHARGED, "fulfilled"),
        (SessionStatus.CANCELLED, "cancelled"),
        (SessionStatus.NO_SHOW, "noshow"),
    ],
)
def test_appointments_are_searched_by_patient_date_and_status(
    client, clinic, charted, status, fhir
):
    Session.objects.filter(pk=charted.session.pk).update(status=status)
    day = charted.session.planned_start.date().isoformat()
    found = get(
        client, clinic.nurse, "Appointment", patient=clinic.alice.pk, date=day, status=fhir
    ).json()
    assert entries(found) == [f"Appointment/{charted.session.pk}"]
    other_day = get(client, clinic.nurse, "Appointment", patient=clinic.alice.pk, date="lt2000")
    assert other_day.json()["total"] == 0


def test_appointments_keep_to_the_users_sites_and_roles(client, clinic, charted):
    path = f"Appointment/{charted.session.pk}"
    assert get(client, clinic.nurse_b, path).status_code == 404
    assert get(client, clinic.front_desk, path).status_code == 200
    assert get(client, clinic.admin, path).status_code == 403
    assert get(client, clinic.nurse_b, "Appointment", patient=clinic.alice.pk).json()["total"] == 0


def test_everything_and_the_export_types_hold_appointments(client, clinic, charted):
    from ketaclinic.fhir.bulk import export_types

    everything = get(client, clinic.nurse, f"Patient/{clinic.alice.pk}/$everything").json()
    assert f"Appointment/{charted.session.pk}" in [
        f"{e['resource']['resourceType']}/{e['resource']['id']}" for e in everything["entry"]
    ]
    assert "Appointment" in export_types("patient")
    statement = client.get("/fhir/metadata").json()
    appointment = next(r for r in statement["rest"][0]["resource"] if r["type"] == "Appointment")
    assert {p["name"] for p in appointment["searchParam"]} >= {"patient", "date", "status", "_sort"}


def _more_vitals(charted, clinic, n):
    session = charted.session
    VitalSign.objects.bulk_create(
        VitalSign(
            session=session,
            taken_at=session.planned_start + dt.timedelta(minutes=minute),
            bp_systolic=120,
            bp_diastolic=80,
            heart_rate=70,
            spo2=97,
            respiratory_rate=12,
            entered_by=clinic.nurse,
            entered_at=session.planned_start + dt.timedelta(minutes=minute),
        )
        for minute in range(n)
    )


@pytest.mark.parametrize(
    ("type_name", "params"),
    [
        ("Observation", {}),
        ("Observation", {"_include": "Observation:encounter"}),
        ("Observation", {"_revinclude": "Provenance:target"}),
        ("Observation", {"category": "vital-signs", "_include": "Observation:patient"}),
        ("Provenance", {"_include": "Provenance:agent"}),
        ("Appointment", {"_include": "Appointment:practitioner"}),
    ],
)
def test_a_search_page_costs_as_many_queries_at_n_as_at_2n(
    client, clinic, charted, type_name, params
):
    _more_vitals(charted, clinic, 30)
    make_session(clinic)  # a second appointment
    client.force_login(clinic.nurse)
    client.get(f"/fhir/{type_name}", {"patient": clinic.alice.pk, **params})  # warm caches
    counts = {}
    for size in (5, 10):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(
                f"/fhir/{type_name}", {"patient": clinic.alice.pk, "_count": size, **params}
            )
        assert response.status_code == 200
        assert len(entries(response.json())) == size or type_name == "Appointment"
        counts[size] = len(queries.captured_queries)
    assert counts[5] == counts[10], counts
