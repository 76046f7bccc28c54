"""The route comparison form: one patient, up to four regimens, read from the query string.

Django checks the shapes (numbers, ranges); the pharmacokinetics core checks the meaning
(a route the model has, whole esketamine devices, infusions only for IV) and raises an
``InputError`` whose ``field`` names its own parameter, which ``_CORE_FIELDS`` turns into
the form field the person typed in, so each message sits next to its input.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from ketaclinic.apps.pk.comparison import (
    MAX_PAGE_POPULATION,
    MAX_REGIMENS,
    ROUTE_LABELS,
    PlannedRegimen,
)
from ketaclinic.clinical.exceptions import InputError, InvalidValue, MissingItem
from ketaclinic.clinical.pharmacokinetics import (
    MODELS,
    NASAL_DEVICE_MG,
    Drug,
    PKModel,
    PKRoute,
    default_model,
    get_model,
    single_dose_regimen,
)
from ketaclinic.clinical.pharmacokinetics.simulation import AGE_RANGE_YEARS, WEIGHT_RANGE_KG

__all__ = [
    "DEFAULT_REGIMENS",
    "ComparisonForm",
    "RegimenForm",
    "default_data",
    "regimen_forms",
]

MG, MG_PER_KG = "mg", "mg_per_kg"

DEFAULT_REGIMENS: tuple[dict[str, str], ...] = (
    {"route": "iv", "dose": "0.5", "dose_unit": MG_PER_KG, "infusion_min": "40"},
    {"route": "im", "dose": "0.5", "dose_unit": MG_PER_KG},
    {"route": "intranasal", "devices": "2"},
    {"route": "sublingual", "dose": "100", "dose_unit": MG},
)
"""What the page compares when it opens: the four ways clinics give ketamine, at the doses
they commonly use — 0.5 mg/kg IV over 40 minutes (Zarate 2006, ``pk-zarate-2006``), the
same dose IM, an esketamine nasal session of two 28 mg devices (56 mg, SPRAVATO label) and
a 100 mg sublingual troche — so "why is a troche at home not an infusion?" is answered at
a glance. An illustration of the routes, not a recommendation of any dose."""

DEFAULT_WEIGHT_KG = Decimal("70")
DEFAULT_HOURS = 24
DEFAULT_POPULATION = 2_000


class ComparisonForm(forms.Form):
    """The patient and the simulation settings shared by every regimen."""

    patient = forms.IntegerField(required=False, widget=forms.HiddenInput)
    weight_kg = forms.DecimalField(
        label="Weight (kg)",
        min_value=WEIGHT_RANGE_KG[0],
        max_value=WEIGHT_RANGE_KG[1],
        max_digits=5,
        decimal_places=1,
    )
    age_years = forms.DecimalField(
        label="Age (years)",
        required=False,
        min_value=AGE_RANGE_YEARS[0],
        max_value=AGE_RANGE_YEARS[1],
        max_digits=3,
        decimal_places=0,
        help_text="Only the esketamine model uses it (over 60).",
    )
    hours = forms.IntegerField(label="Hours to show", min_value=1, max_value=72)
    population = forms.IntegerField(
        label="Virtual patients",
        required=False,
        min_value=0,
        max_value=MAX_PAGE_POPULATION,
        help_text=f"0 for none; up to {MAX_PAGE_POPULATION:,}.",
    )
    weight_cv_percent = forms.IntegerField(
        label="Weight spread (CV %)",
        required=False,
        min_value=0,
        max_value=50,
        help_text="0 keeps every virtual patient at this weight.",
    )
    log_scale = forms.BooleanField(label="Log scale", required=False)

    def clean_population(self) -> int:
        return self.cleaned_data.get("population") or 0

    def clean_weight_cv_percent(self) -> int:
        return self.cleaned_data.get("weight_cv_percent") or 0


def _route_choices() -> list[tuple[str, str]]:
    return [("", "— none —"), *((r.value, ROUTE_LABELS[r]) for r in PKRoute)]


def _model_choices() -> list[tuple[str, str]]:
    return [("", "Route's default"), *((m.id, m.id) for m in MODELS.values())]


class RegimenForm(forms.Form):
    """One regimen to compare; an empty route leaves the column out."""

    route = forms.ChoiceField(label="Route", choices=_route_choices, required=False)
    model = forms.ChoiceField(label="Model", choices=_model_choices, required=False)
    dose = forms.DecimalField(
        label="Dose", required=False, max_digits=7, decimal_places=3, min_value=Decimal("0.001")
    )
    dose_unit = forms.ChoiceField(
        label="Unit", choices=[(MG, "mg"), (MG_PER_KG, "mg/kg")], required=False
    )
    infusion_min = forms.IntegerField(
        label="Infusion (min)",
        required=False,
        min_value=0,
        max_value=240,
        help_text="IV only; 0 or blank for a bolus.",
    )
    devices = forms.IntegerField(
        label=f"Nasal devices ({NASAL_DEVICE_MG} mg)",
        required=False,
        min_value=1,
        max_value=3,
        help_text="Esketamine nasal spray only.",
    )

    def __init__(self, *args: Any, number: int, **kwargs: Any) -> None:
        super().__init__(*args, prefix=f"r{number}", **kwargs)
        self.number = number
        self.planned: PlannedRegimen | None = None

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.errors or not data.get("route"):
            return data
        route = PKRoute(data["route"])
        model = get_model(data["model"]) if data.get("model") else default_model(route)
        devices_route = model.drug is Drug.ESKETAMINE and route is PKRoute.INTRANASAL
        try:
            self.planned = (
                self._nasal_esketamine(route, model, data)
                if devices_route
                else self._plan(route, model, data)
            )
        except InputError as error:
            field = error.field
            if field == "route":
                field = "model" if data.get("model") else "route"
            elif field == "dose_mg" and devices_route:
                field = "devices"
            self.add_error(_CORE_FIELDS.get(field, field), error.message)
        return data

    def _nasal_esketamine(
        self, route: PKRoute, model: PKModel, data: dict[str, Any]
    ) -> PlannedRegimen:
        """Whole 28 mg devices; a dose in mg is accepted when it is whole devices."""
        devices = data.get("devices")
        if devices is not None:
            dose_mg = NASAL_DEVICE_MG * devices
        elif data.get("dose") is not None and data.get("dose_unit") != MG_PER_KG:
            dose_mg = data["dose"]
        else:
            raise MissingItem("devices", f"Say how many {NASAL_DEVICE_MG} mg devices.")
        if data.get("infusion_min"):
            raise InvalidValue("infusion_min", "only an IV dose can be given over a duration")
        regimen = single_dose_regimen(model, route, dose_mg=dose_mg)
        count = len(regimen.doses)
        text = f"{dose_mg.normalize():f} mg ({count} device{'s' if count != 1 else ''})"
        return PlannedRegimen(route, model, regimen, text)

    def _plan(self, route: PKRoute, model: PKModel, data: dict[str, Any]) -> PlannedRegimen:
        dose = data.get("dose")
        if dose is None:
            raise MissingItem("dose", "Enter a dose.")
        minutes = data.get("infusion_min") or 0
        per_kg = data.get("dose_unit") == MG_PER_KG
        regimen = single_dose_regimen(
            model,
            route,
            dose_mg=None if per_kg else dose,
            dose_mg_per_kg=dose if per_kg else None,
            duration_min=float(minutes),
        )
        text = f"{dose.normalize():f} {'mg/kg' if per_kg else 'mg'}"
        return PlannedRegimen(route, model, regimen, text, infusion_min=minutes)


_CORE_FIELDS = {
    "dose_mg": "dose",
    "dose_mg_per_kg": "dose",
    "duration_min": "infusion_min",
}
"""The core's parameter names and the form fields they were typed in."""


def regimen_forms(data: dict[str, str] | None) -> list[RegimenForm]:
    return [RegimenForm(data, number=n) for n in range(1, MAX_REGIMENS + 1)]


def default_data(weight_kg: Decimal | None = None, age_years: int | None = None) -> dict[str, str]:
    """The query string of the default comparison, for a patient's weight and age if known."""
    data = {
        "weight_kg": f"{weight_kg if weight_kg is not None else DEFAULT_WEIGHT_KG}",
        "age_years": "" if age_years is None else str(age_years),
        "hours": str(DEFAULT_HOURS),
        "population": str(DEFAULT_POPULATION),
        "weight_cv_percent": "0",
    }
    for number, regimen in enumerate(DEFAULT_REGIMENS, start=1):
        data |= {f"r{number}-{key}": value for key, value in regimen.items()}
    return data
