"""The /pk/ page: the default comparison, the patient prefill, its audit, htmx and queries."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.models import AuditEvent
from ketaclinic.apps.patients.models import Measurement, Patient
from ketaclinic.clinical.pharmacokinetics import (
    Covariates,
    PKRoute,
    default_model,
    simulate,
    single_dose_regimen,
    time_grid,
)

NOTE = "Educational model, not a dosing instruction."
LIGHT = {
    "weight_kg": "70",
    "hours": "2",
    "population": "0",
    "r1-route": "iv",
    "r1-dose": "35",
    "r1-dose_unit": "mg",
}


@pytest.fixture
def nurse(client, clinic):
    client.force_login(clinic.nurse)
    return client


def url(**query: object) -> str:
    return reverse("pk:compare") + ("?" + "&".join(f"{k}={v}" for k, v in query.items()))


def test_the_page_opens_on_the_four_routes_with_bands_and_the_note(nurse):
    response = nurse.get(reverse("pk:compare"))
    assert response.status_code == 200
    page = response.content.decode()
    assert NOTE in page
    assert page.count('class="curve"') == 4
    # 5-95 % and 25-75 % for each of the four regimens
    assert page.count('class="band"') == 8
    assert page.count('class="metabolite"') == 1  # noresketamine, the only modelled metabolite
    assert '<title id="pk-chart-title">' in page
    assert '<desc id="pk-chart-desc">' in page
    for label in (
        "IV ketamine 0.5 mg/kg (35 mg) over 40 min",  # 0.5 mg/kg x 70 kg
        "IM ketamine 0.5 mg/kg (35 mg)",
        "Nasal esketamine 56 mg (2 devices)",
        "Sublingual ketamine 100 mg",
    ):
        assert label in page
    assert "2000 virtual patients" in page
    assert "seed 20260310" in page
    assert 'id="pk-population"' in page
    assert "Clements JA, Nimmo WS" in page
    assert "Perez-Ruixo C" in page


def test_no_style_attribute_or_inline_script_reaches_the_page(nurse):
    page = nurse.get(reverse("pk:compare")).content.decode()
    assert " style=" not in page
    assert re.search(r"<script(?![^>]*\bsrc=)", page) is None


def test_the_table_shows_the_cores_typical_values(nurse):
    page = nurse.get(url(**{**LIGHT, "hours": "24"})).content.decode()
    model = default_model(PKRoute.IV)
    regimen = single_dose_regimen(model, PKRoute.IV, dose_mg=Decimal("35"))
    curve = simulate(regimen, Covariates(weight_kg=Decimal("70")), time_grid(24, 5), model=model)
    row = re.search(r'<tr data-regimen="1">.*?</tr>', page, re.S).group(0)
    assert f">{curve.cmax_ng_per_ml:.1f}<" in row
    assert f">{curve.tmax_h:.2f}<" in row
    assert f">{curve.auc_ng_h_per_ml:.0f}<" in row


def test_no_population_draws_no_bands(nurse):
    page = nurse.get(url(**LIGHT)).content.decode()
    assert page.count('class="curve"') == 1
    assert 'class="band"' not in page
    assert 'id="pk-population"' not in page


def test_a_population_without_published_variability_says_so(nurse):
    page = nurse.get(url(**{**LIGHT, "population": "50"})).content.decode()
    assert "for every virtual patient" in page
    assert page.count('class="band"') == 2


def test_the_log_scale_draws_decades(nurse):
    page = nurse.get(url(**{**LIGHT, "log_scale": "on"})).content.decode()
    assert "logarithmic scale" in page
    assert "ng/mL, log)" in page


def test_a_patient_prefills_the_latest_weight_and_age_and_is_audited(nurse, clinic, fixed_clock):
    Measurement.objects.create(
        patient=clinic.alice, measured_on=dt.date(2026, 3, 1), weight_kg=Decimal("82.5")
    )
    response = nurse.get(url(patient=clinic.alice.pk))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.cleaned_data["weight_kg"] == Decimal("82.5")
    # born 1984-06-02; on 2026-03-10 she is 41 (birthday not yet reached)
    assert form.cleaned_data["age_years"] == 41
    page = response.content.decode()
    assert "IV ketamine 0.5 mg/kg (41.3 mg) over 40 min" in page  # 0.5 x 82.5 = 41.25
    event = AuditEvent.objects.get(object_type="pk_simulation")
    assert event.action == Action.VIEW
    assert event.patient_id == clinic.alice.pk
    assert event.actor_id == clinic.nurse.pk
    assert event.detail == {
        "routes": ["iv", "im", "intranasal", "sublingual"],
        "population": 2000,
    }


def test_every_rerender_with_a_patient_is_audited(nurse, clinic):
    nurse.get(url(patient=clinic.alice.pk, **LIGHT), HTTP_HX_REQUEST="true")
    nurse.get(url(patient=clinic.alice.pk, **{**LIGHT, "weight_kg": "400"}))
    events = AuditEvent.objects.filter(object_type="pk_simulation", patient=clinic.alice)
    assert events.count() == 2


def test_without_a_patient_nothing_is_audited(nurse):
    nurse.get(url(**LIGHT))
    assert not AuditEvent.objects.filter(object_type="pk_simulation").exists()


def test_a_patient_without_a_weight_gets_70_kg_and_a_warning(nurse, clinic, fixed_clock):
    patient = Patient.objects.create(
        site=clinic.site_a,
        mrn="K000002",
        given_name="Carla",
        family_name="Nunes",
        date_of_birth=dt.date(1990, 1, 1),
        sex_at_birth="female",
    )
    response = nurse.get(url(patient=patient.pk))
    assert response.context["form"].cleaned_data["weight_kg"] == Decimal("70")
    assert "No weight is recorded on the chart" in response.content.decode()


def test_the_users_own_weight_wins_over_the_chart(nurse, clinic):
    response = nurse.get(url(patient=clinic.alice.pk, **{**LIGHT, "weight_kg": "55"}))
    assert response.context["form"].cleaned_data["weight_kg"] == Decimal("55")
    assert "No weight is recorded" not in response.content.decode()


def test_htmx_gets_the_fragment_from_the_same_view(nurse):
    response = nurse.get(url(**LIGHT), HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert 'class="curve"' in page
    assert 'id="pk-form"' in page


def test_nothing_is_cached_downstream(nurse, clinic):
    response = nurse.get(url(patient=clinic.alice.pk, **LIGHT))
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_the_page_with_a_patient_runs_a_fixed_number_of_queries(
    nurse, clinic, django_assert_num_queries
):
    nurse.get(url(**LIGHT))  # warm the session and permission caches
    # session, user, the user's access (one UNION: sites and permissions), the patient,
    # the latest weight; the audit event (one insert); the navigation's alert badge.
    # Nothing grows with the patient's history.
    with django_assert_num_queries(7):
        nurse.get(url(patient=clinic.alice.pk))


def test_a_core_refusal_of_a_shared_setting_lands_on_that_field(nurse, monkeypatch):
    """The form's ranges match the core's today; should the core ever refuse more, the
    message still lands by the field (here the population size), never as a traceback."""
    from ketaclinic.apps.pk import views
    from ketaclinic.clinical.exceptions import OutOfRange

    def refuse(*args, **kwargs):
        raise OutOfRange("n", "must be 1 to 10,000,000, got 0")

    monkeypatch.setattr(views, "compare", refuse)
    response = nurse.get(url(**LIGHT))
    assert response.status_code == 422
    assert response.context["form"].errors["population"] == ["must be 1 to 10,000,000, got 0"]


def test_the_permission_model_names_itself():
    from ketaclinic.apps.pk.models import RouteComparison

    assert str(RouteComparison()) == "route comparison"
