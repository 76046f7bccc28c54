"""Each field of the comparison form refuses bad input with a message next to that field.

Django checks shapes and ranges; the pharmacokinetics core checks meaning and names its own
parameter (``dose_mg``, ``duration_min``, ``route``), which the form maps back to the field
the person typed in. A page with errors is a 422, or for htmx a 200 fragment (htmx does not
swap error responses); either way nothing is simulated.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from ketaclinic.apps.pk.forms import ComparisonForm, RegimenForm, default_data

BASE = {"weight_kg": "70", "hours": "2", "population": "0"}
ONE_IV = {"r1-route": "iv", "r1-dose": "35", "r1-dose_unit": "mg"}


def settings_errors(**changes: str) -> dict:
    form = ComparisonForm({**BASE, **changes})
    form.is_valid()
    return form.errors


def regimen_errors(**fields: str) -> dict:
    form = RegimenForm({f"r1-{k}": v for k, v in fields.items()}, number=1)
    form.is_valid()
    return form.errors


def test_the_default_comparison_is_valid():
    data = default_data()
    assert ComparisonForm(data).is_valid()
    forms = [RegimenForm(data, number=n) for n in range(1, 5)]
    assert all(f.is_valid() for f in forms)
    assert [f.planned.route.value for f in forms] == ["iv", "im", "intranasal", "sublingual"]


@pytest.mark.parametrize(
    ("value", "fails"),
    [("19.9", True), ("20", False), ("300", False), ("300.1", True), ("heavy", True), ("", True)],
)
def test_weight_must_be_20_to_300_kg(value, fails):
    assert ("weight_kg" in settings_errors(weight_kg=value)) is fails


@pytest.mark.parametrize(
    ("value", "fails"),
    [("-1", True), ("0", False), ("120", False), ("121", True), ("", False), ("40.5", True)],
)
def test_age_is_optional_and_0_to_120_whole_years(value, fails):
    assert ("age_years" in settings_errors(age_years=value)) is fails


@pytest.mark.parametrize(
    ("value", "fails"), [("0", True), ("1", False), ("72", False), ("73", True), ("", True)]
)
def test_hours_must_be_1_to_72(value, fails):
    assert ("hours" in settings_errors(hours=value)) is fails


@pytest.mark.parametrize(
    ("value", "fails"), [("-1", True), ("0", False), ("20000", False), ("20001", True), ("", False)]
)
def test_the_population_is_at_most_20000_on_the_page(value, fails):
    assert ("population" in settings_errors(population=value)) is fails


@pytest.mark.parametrize(
    ("value", "fails"), [("-1", True), ("0", False), ("50", False), ("51", True)]
)
def test_the_weight_spread_is_0_to_50_percent(value, fails):
    assert ("weight_cv_percent" in settings_errors(weight_cv_percent=value)) is fails


def test_an_empty_route_leaves_the_column_out_whatever_else_it_holds():
    form = RegimenForm({"r1-route": "", "r1-dose": "12"}, number=1)
    assert form.is_valid()
    assert form.planned is None


def test_an_unknown_route_is_refused_on_the_route_field():
    assert "route" in regimen_errors(route="rectal", dose="10", dose_unit="mg")


def test_an_unknown_model_is_refused_on_the_model_field():
    assert "model" in regimen_errors(route="iv", model="nobody-1999", dose="10", dose_unit="mg")


def test_a_dose_is_needed():
    assert regimen_errors(route="im", dose_unit="mg")["dose"] == ["Enter a dose."]


@pytest.mark.parametrize("dose", ["0", "-5", "lots"])
def test_a_dose_must_be_a_positive_number(dose):
    assert "dose" in regimen_errors(route="im", dose=dose, dose_unit="mg")


def test_a_model_without_the_route_is_refused_on_the_model_field():
    errors = regimen_errors(route="sublingual", model="domino-1984", dose="100", dose_unit="mg")
    assert errors["model"] == ["domino-1984 has no sublingual route (it has iv)"]


def test_an_infusion_is_only_for_iv():
    errors = regimen_errors(route="im", dose="0.5", dose_unit="mg_per_kg", infusion_min="40")
    assert errors["infusion_min"] == ["only an IV dose can be given over a duration"]


def test_an_infusion_longer_than_four_hours_is_refused():
    assert "infusion_min" in regimen_errors(
        route="iv", dose="35", dose_unit="mg", infusion_min="241"
    )


def test_an_iv_infusion_over_40_minutes_is_planned_as_one():
    form = RegimenForm(
        {"r1-route": "iv", "r1-dose": "0.5", "r1-dose_unit": "mg_per_kg", "r1-infusion_min": "40"},
        number=1,
    )
    assert form.is_valid(), form.errors
    assert form.planned.label(weight_kg=Decimal("70")) == (
        "IV ketamine 0.5 mg/kg (35 mg) over 40 min"  # 0.5 mg/kg x 70 kg = 35 mg
    )


@pytest.mark.parametrize(
    ("devices", "fails"), [("0", True), ("1", False), ("3", False), ("4", True)]
)
def test_esketamine_nasal_is_one_to_three_devices(devices, fails):
    assert ("devices" in regimen_errors(route="intranasal", devices=devices)) is fails


def test_esketamine_nasal_needs_devices_or_whole_devices_in_mg():
    assert regimen_errors(route="intranasal")["devices"] == ["Say how many 28 mg devices."]
    assert regimen_errors(route="intranasal", dose="56", dose_unit="mg") == {}
    assert regimen_errors(route="intranasal", dose="84") == {}  # no unit: mg, as elsewhere
    errors = regimen_errors(route="intranasal", dose="50", dose_unit="mg")
    assert errors["devices"] == ["esketamine nasal doses are 28, 56 or 84 mg (devices)"]
    assert "devices" in regimen_errors(route="intranasal", dose="0.8", dose_unit="mg_per_kg")


def test_esketamine_nasal_cannot_be_infused():
    errors = regimen_errors(route="intranasal", devices="2", infusion_min="10")
    assert errors["infusion_min"] == ["only an IV dose can be given over a duration"]


def test_racemic_intranasal_is_dosed_in_mg_with_the_racemic_model():
    form = RegimenForm(
        {
            "r1-route": "intranasal",
            "r1-model": "clements-1981",
            "r1-dose": "50",
            "r1-dose_unit": "mg",
        },
        number=1,
    )
    assert form.is_valid(), form.errors
    assert form.planned.label(Decimal("70")) == "Nasal ketamine 50 mg"


def test_a_page_with_a_bad_field_is_422_and_shows_the_message_by_the_field(client, clinic):
    client.force_login(clinic.nurse)
    response = client.get(reverse("pk:compare"), {**BASE, **ONE_IV, "weight_kg": "350"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Ensure this value is less than or equal to 300." in page
    assert 'class="curve"' not in page


def test_a_core_error_is_shown_next_to_the_field_it_names(client, clinic):
    client.force_login(clinic.nurse)
    data = {
        **BASE,
        "r2-route": "oral",
        "r2-model": "herd-2007",
        "r2-dose": "100",
        "r2-dose_unit": "mg",
    }
    response = client.get(reverse("pk:compare"), data)
    assert response.status_code == 422
    form = response.context["regimens"][1]
    assert form.errors["model"] == ["herd-2007 has no oral route (it has iv)"]


def test_no_route_at_all_asks_for_one(client, clinic):
    client.force_login(clinic.nurse)
    response = client.get(reverse("pk:compare"), BASE)
    assert response.status_code == 422
    assert "Choose a route in at least one column." in response.content.decode()


def test_htmx_gets_the_errors_in_a_200_fragment(client, clinic):
    client.force_login(clinic.nurse)
    response = client.get(
        reverse("pk:compare"), {**BASE, **ONE_IV, "hours": "0"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" not in page
    assert "Ensure this value is greater than or equal to 1." in page
