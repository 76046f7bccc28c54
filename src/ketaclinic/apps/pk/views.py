"""``/pk/``: compare plasma concentration by route, for a patient or a typical adult.

A GET form, so it works without JavaScript and a comparison can be bookmarked or shared;
htmx re-renders the form and results from the same view on each change. Opening the page
(with or without ``?patient=<id>``) runs the default comparison; with a patient, the chart's
latest weight and the patient's age fill the form, and every view is audited. Field errors
come back as a 422 page, or for htmx as the fragment with status 200 (htmx does not swap
error responses). The page is an educational model, never a dosing instruction, and says so.
"""

from __future__ import annotations

import time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control

from ketaclinic.apps.accounts.scoping import get_for_user_or_404, require_permission
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.patients.models import Patient
from ketaclinic.apps.pk.charts import COLOURS, ChartSeries, comparison_svg, legend_swatch
from ketaclinic.apps.pk.comparison import POPULATION_SEED, ComparedRegimen, compare
from ketaclinic.apps.pk.forms import ComparisonForm, default_data, regimen_forms
from ketaclinic.apps.web import clock
from ketaclinic.apps.web.rendering import is_htmx, render_page_or_fragment
from ketaclinic.clinical.exceptions import InputError
from ketaclinic.clinical.pharmacokinetics import BAND_PERCENTILES, Covariates
from ketaclinic.clinical.sources import cite

PAGE, FRAGMENT = "pk/compare.html", "pk/_comparison.html"

_PAGE_FIELDS = {
    "weight_kg": "weight_kg",
    "age_years": "age_years",
    "hours": "hours",
    "n": "population",
    "weight_cv": "weight_cv_percent",
}
"""The core's parameter names for the shared settings and the form fields that hold them."""


@require_permission("pk.use_simulator")
def compare_routes(request: HttpRequest) -> HttpResponse:
    patient = None
    if request.GET.get("patient"):
        patient = get_for_user_or_404(
            Patient, request.user, "patients.view_patient", pk=request.GET["patient"]
        )
    weight_missing = False
    if "weight_kg" in request.GET:
        data: Any = request.GET
    elif patient is not None:
        latest = patient.measurements.first()
        weight_missing = latest is None
        age = patient.age_on(clock.today(patient.site.timezone))
        data = default_data(None if latest is None else latest.weight_kg, age)
        data["patient"] = str(patient.pk)
    else:
        data = default_data()
    form = ComparisonForm(data)
    regimens = regimen_forms(data)
    valid = all([form.is_valid(), *(r.is_valid() for r in regimens)])
    planned = [r.planned for r in regimens if r.planned is not None]
    if valid and not planned:
        form.add_error(None, "Choose a route in at least one column.")
        valid = False
    results: list[ComparedRegimen] = []
    started = time.perf_counter()
    if valid:
        results = _run(form, planned)
    elapsed_ms = (time.perf_counter() - started) * 1000
    if patient is not None:
        record_event(
            request,
            Action.VIEW,
            object_type="pk_simulation",
            object_id=patient.pk,
            patient=patient,
            detail={
                "routes": [p.route.value for p in planned],
                "population": form.cleaned_data.get("population", 0) if valid else 0,
            },
        )
    context = {
        "form": form,
        "regimens": regimens,
        "patient": patient,
        "weight_missing": weight_missing,
        "elapsed_ms": elapsed_ms,
        **_result_context(form, results),
    }
    failed = bool(form.errors or any(r.errors for r in regimens))
    status = 422 if failed and not is_htmx(request) else 200
    response = render_page_or_fragment(request, PAGE, FRAGMENT, context, status=status)
    patch_cache_control(response, private=True, no_store=True)
    return response


def _run(form: ComparisonForm, planned: list) -> list[ComparedRegimen]:
    data = form.cleaned_data
    covariates = Covariates(weight_kg=data["weight_kg"])
    if data.get("age_years") is not None:
        covariates = Covariates(weight_kg=data["weight_kg"], age_years=data["age_years"])
    try:
        return compare(
            planned,
            covariates,
            hours=data["hours"],
            population=data["population"],
            weight_cv=data["weight_cv_percent"] / 100,
        )
    except InputError as error:
        form.add_error(_PAGE_FIELDS.get(error.field), error.message)
        return []


def _result_context(form: ComparisonForm, results: list[ComparedRegimen]) -> dict[str, Any]:
    if not results:
        return {"results": []}
    data = form.cleaned_data
    series = [
        ChartSeries(
            number=r.number,
            label=r.label,
            colour=COLOURS[r.number - 1],
            times_h=r.simulation.times_h,
            concentration_ng_per_ml=r.simulation.concentration_ng_per_ml,
            cmax_ng_per_ml=r.simulation.cmax_ng_per_ml,
            tmax_h=r.simulation.tmax_h,
            metabolite_name=r.simulation.model.metabolite,
            metabolite_ng_per_ml=r.simulation.metabolite_ng_per_ml,
            bands_ng_per_ml=(
                r.population.concentration_bands_ng_per_ml if r.population is not None else None
            ),
        )
        for r in results
    ]
    models = {r.simulation.model.id: r.simulation.model for r in results}
    return {
        "results": results,
        "rows": [_row(r, s) for r, s in zip(results, series, strict=True)],
        "chart": comparison_svg(
            series,
            hours=data["hours"],
            log_scale=data["log_scale"],
            population=data["population"],
        ),
        "population": data["population"],
        "seed": POPULATION_SEED,
        "percentiles": BAND_PERCENTILES,
        "hours": data["hours"],
        "models": [
            {
                "model": model,
                "citation": cite(model.source_key).citation,
                "sources": sorted(
                    {cite(p.source_key).citation for p in model.parameters}
                    - {cite(model.source_key).citation}
                ),
            }
            for model in models.values()
        ],
    }


def _row(result: ComparedRegimen, series: ChartSeries) -> dict[str, Any]:
    simulation, population = result.simulation, result.population
    row: dict[str, Any] = {
        "number": result.number,
        "label": result.label,
        "swatch": legend_swatch(series),
        "model": simulation.model,
        "dose_mg": result.dose_mg.quantize(Decimal("0.1"), ROUND_HALF_UP),
        "cmax": simulation.cmax_ng_per_ml,
        "tmax": simulation.tmax_h,
        "auc": simulation.auc_ng_h_per_ml,
        "metabolite": None,
    }
    if simulation.metabolite_ng_per_ml is not None:
        metabolite = simulation.metabolite_ng_per_ml
        row["metabolite"] = {
            "name": simulation.model.metabolite,
            "cmax": float(metabolite.max()),
        }
    if population is not None:
        row["cmax_percentiles"] = [float(v) for v in population.cmax_ng_per_ml]
        row["auc_percentiles"] = [float(v) for v in population.auc_ng_h_per_ml]
        cmax = population.cmax_ng_per_ml
        row["same_for_everyone"] = bool(np.isclose(cmax[0], cmax[-1], rtol=1e-9, atol=0))
    return row


@require_permission("pk.use_simulator")
def route_equivalence(request: HttpRequest) -> HttpResponse:
    """ASKP3's route-equivalence table as a reference view (issue 4): read, never converted."""
    from ketaclinic.clinical.routes import ROUTE_EQUIVALENCE, ROUTE_EQUIVALENCE_NOTE
    from ketaclinic.clinical.sources import cite

    context = {
        "rows": ROUTE_EQUIVALENCE,
        "note": ROUTE_EQUIVALENCE_NOTE,
        "source": cite(ROUTE_EQUIVALENCE[0].source_key),
    }
    return render(request, "pk/route_equivalence.html", context)
