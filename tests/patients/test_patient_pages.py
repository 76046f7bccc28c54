"""Patient search, registration, chart, edits and weights: validation and behaviour."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from tests.personas import make_patient

from ketaclinic.apps.patients.models import Measurement, Patient

NEW_PATIENT = {
    "given_name": "Carla",
    "family_name": "Moreau",
    "date_of_birth": "1990-02-03",
    "sex_at_birth": "female",
}


@pytest.fixture
def front_desk(client, clinic):
    client.force_login(clinic.front_desk)
    return client


def test_search_by_family_name_prefix_finds_the_patient(front_desk, clinic):
    response = front_desk.get(reverse("patients:list"), {"q": "riv"})
    assert [p.pk for p in response.context["page"].items] == [clinic.alice.pk]


def test_search_by_family_comma_given_as_typed(front_desk, clinic):
    response = front_desk.get(reverse("patients:list"), {"q": "Rivera, Alice"})
    assert [p.pk for p in response.context["page"].items] == [clinic.alice.pk]


def test_search_by_mrn_and_by_date_of_birth(front_desk, clinic):
    by_mrn = front_desk.get(reverse("patients:list"), {"q": "k000001"})
    by_dob = front_desk.get(reverse("patients:list"), {"date_of_birth": "1984-06-02"})
    wrong_dob = front_desk.get(reverse("patients:list"), {"date_of_birth": "1984-06-03"})
    assert [p.pk for p in by_mrn.context["page"].items] == [clinic.alice.pk]
    assert [p.pk for p in by_dob.context["page"].items] == [clinic.alice.pk]
    assert wrong_dob.context["page"].items == []
    assert "No patient matches" in wrong_dob.content.decode()


def test_search_never_returns_another_sites_patient(front_desk):
    response = front_desk.get(reverse("patients:list"), {"q": "Lindgren"})
    assert response.context["page"].items == []


def test_htmx_search_returns_only_the_results_fragment(front_desk):
    response = front_desk.get(reverse("patients:list"), {"q": "riv"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body
    assert "Rivera, Alice" in body


def test_list_pages_through_patients_without_counting(
    front_desk, clinic, django_assert_num_queries
):
    for i in range(30):
        make_patient(clinic.site_a, f"P{i:05d}", "Pat", f"Zed{i:02d}", dt.date(1980, 1, 1))
    first = front_desk.get(reverse("patients:list"))
    assert len(first.context["page"].items) == 25
    assert first.context["page"].has_next
    after = first.context["page"].next_cursor
    second = front_desk.get(reverse("patients:list"), {"after": after})
    assert len(second.context["page"].items) == 6
    assert not second.context["page"].has_next
    # Pinned: session, user, access (1 UNION: sites and permissions), the page of patients,
    # and the page's one audit event (1: the request's batch is one INSERT; chained after
    # commit). No COUNT(*).
    with django_assert_num_queries(5) as captured:
        front_desk.get(reverse("patients:list"), {"after": after})
    assert not any("COUNT(" in q["sql"].upper() for q in captured.captured_queries)


def test_registering_a_patient_assigns_the_next_mrn(front_desk, clinic, fixed_clock):
    response = front_desk.post(
        reverse("patients:create"), {**NEW_PATIENT, "site": clinic.site_a.pk}
    )
    patient = Patient.objects.get(given_name="Carla")
    assert response.status_code == 302
    assert patient.mrn == "K000002"
    assert patient.site == clinic.site_a


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"date_of_birth": "2026-03-11"}, "date_of_birth", "cannot be in the future"),
        ({"date_of_birth": "1899-12-31"}, "date_of_birth", "after 1900"),
        ({"given_name": ""}, "given_name", "This field is required"),
        ({"mrn": "k000001"}, "mrn", "Another patient at this site has this MRN"),
        ({"mrn": "x"}, "mrn", "3 to 20 capital letters"),
        ({"phone": "call me"}, "phone", "Enter a phone number"),
        ({"emergency_contact_phone": "+1 555 123 4567"}, "emergency_contact_name", "Name the"),
        ({"sex_at_birth": "robot"}, "sex_at_birth", "Select a valid choice"),
    ],
)
def test_registration_errors_name_the_field(
    front_desk, clinic, fixed_clock, change, field, message
):
    data = {**NEW_PATIENT, "site": clinic.site_a.pk, **change}
    response = front_desk.post(reverse("patients:create"), data)
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert message in " ".join(errors[field])
    assert not Patient.objects.filter(given_name="Carla").exists()


def test_front_desk_cannot_register_a_patient_at_a_site_they_do_not_work_at(front_desk, clinic):
    response = front_desk.post(
        reverse("patients:create"), {**NEW_PATIENT, "site": clinic.site_b.pk}
    )
    assert response.status_code == 422
    assert "site" in response.context["form"].errors


def test_same_mrn_is_allowed_at_another_site(clinic):
    assert clinic.alice.mrn == clinic.bob.mrn


def test_editing_cannot_move_a_patient_to_another_site(front_desk, clinic):
    data = {**NEW_PATIENT, "mrn": "K000001", "site": clinic.site_b.pk}
    front_desk.post(reverse("patients:edit", args=[clinic.alice.pk]), data)
    clinic.alice.refresh_from_db()
    assert clinic.alice.site == clinic.site_a
    assert clinic.alice.given_name == "Carla"


def test_chart_shows_age_latest_weight_and_bmi(client, clinic, fixed_clock):
    client.force_login(clinic.nurse)
    body = client.get(reverse("patients:detail", args=[clinic.alice.pk])).content.decode()
    # Born 1984-06-02; on 2026-03-10 she is 41. BMI = 70 / 1.70² = 24.22 → 24.2.
    assert "41 years" in body
    assert "70.0 kg" in body
    assert "24.2 kg/m²" in body


def test_nurse_records_a_weight_and_a_future_date_is_refused(client, clinic, fixed_clock):
    client.force_login(clinic.nurse)
    url = reverse("patients:measurement-add", args=[clinic.alice.pk])
    ok = client.post(url, {"measured_on": "2026-03-10", "weight_kg": "68.4", "height_cm": ""})
    assert ok.status_code == 302
    latest = clinic.alice.measurements.first()
    assert str(latest.weight_kg) == "68.4"
    assert latest.recorded_by == clinic.nurse
    future = client.post(url, {"measured_on": "2026-03-12", "weight_kg": "68.4"})
    assert future.status_code == 422
    assert "cannot be dated in the future" in future.content.decode()
    too_heavy = client.post(url, {"measured_on": "2026-03-10", "weight_kg": "450"})
    assert too_heavy.status_code == 422
    assert Measurement.objects.filter(patient=clinic.alice).count() == 2


def test_age_counts_completed_years():
    patient = Patient(date_of_birth=dt.date(2000, 2, 29))
    assert patient.age_on(dt.date(2026, 2, 28)) == 25
    assert patient.age_on(dt.date(2026, 3, 1)) == 26


def test_height_is_carried_forward_to_the_latest_weight_for_bmi(client, clinic, fixed_clock):
    Measurement.objects.create(
        patient=clinic.alice, measured_on=dt.date(2026, 3, 1), weight_kg=Decimal("80.0")
    )
    client.force_login(clinic.nurse)
    body = client.get(reverse("patients:detail", args=[clinic.alice.pk])).content.decode()
    # Latest weight 80.0 kg with the height from January, 170.0 cm: 80 / 1.7² = 27.68 → 27.7.
    assert "80.0 kg" in body
    assert "170.0 cm" in body
    assert "27.7 kg/m²" in body
