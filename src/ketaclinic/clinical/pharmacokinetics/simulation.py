"""Simulate one patient: a regimen, a model (or the route's default) and a time grid.

This is the layer the CLI and the web page call. It checks the input (weight 20-300 kg,
routes the model supports, esketamine nasal doses in whole 28 mg devices) and raises
``InputError`` subclasses naming the offending field, so the callers never see a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from ketaclinic.clinical.exceptions import InvalidValue, OutOfRange, UnknownCode
from ketaclinic.clinical.pharmacokinetics.catalogue import default_model
from ketaclinic.clinical.pharmacokinetics.models import (
    CovariateArrays,
    Covariates,
    Drug,
    PKModel,
    PKRoute,
)
from ketaclinic.clinical.pharmacokinetics.regimens import (
    NASAL_DEVICE_MG,
    Dose,
    Regimen,
    bolus,
    infusion,
    nasal_session,
)
from ketaclinic.clinical.pharmacokinetics.solver import solve
from ketaclinic.clinical.pharmacokinetics.summaries import exposure

__all__ = [
    "AGE_RANGE_YEARS",
    "MAX_GRID_POINTS",
    "WEIGHT_RANGE_KG",
    "Simulation",
    "check_inputs",
    "checked_times",
    "model_for_regimen",
    "regimen_dose_mg",
    "simulate",
    "simulate_batch",
    "single_dose_regimen",
    "time_grid",
]

WEIGHT_RANGE_KG = (Decimal("20"), Decimal("300"))
"""Weights the simulator accepts. Wider than any source population on purpose (the page
shows each model's population); outside it the allometry is meaningless."""

AGE_RANGE_YEARS = (Decimal("0"), Decimal("120"))

_MAX_HOURS = 24 * 28  # four weeks: a full induction series
MAX_GRID_POINTS = 50_000
"""Four weeks at one-minute steps (40,321 points) fit; a step of a nanosecond, which would ask
for terabytes, is refused naming ``step_min``."""


@dataclass(frozen=True, slots=True, eq=False)
class Simulation:
    """One patient's typical-value curve and its exposure on the grid."""

    model: PKModel
    regimen: Regimen
    covariates: Covariates
    times_h: np.ndarray
    concentration_ng_per_ml: np.ndarray
    metabolite_ng_per_ml: np.ndarray | None
    cmax_ng_per_ml: float
    tmax_h: float
    auc_ng_h_per_ml: float


def time_grid(hours: float = 24.0, step_min: float = 5.0) -> np.ndarray:
    """0, step, 2 step, ... up to ``hours`` (inclusive when it falls on the grid), in hours."""
    if not 0 < hours <= _MAX_HOURS:
        raise OutOfRange("hours", f"must be more than 0 and at most {_MAX_HOURS}, got {hours}")
    if not 0 < step_min <= hours * 60:
        raise OutOfRange("step_min", f"must be more than 0 and at most the span, got {step_min}")
    steps = hours * 60 / step_min
    if not steps < MAX_GRID_POINTS:
        raise OutOfRange(
            "step_min",
            f"gives {steps + 1:,.0f} time points over {hours} h; at most {MAX_GRID_POINTS:,} "
            f"(a step of at least {hours * 60 / (MAX_GRID_POINTS - 1):.3g} min)",
        )
    count = int(np.floor(steps + 1e-9))
    return np.arange(count + 1) * (step_min / 60.0)


def single_dose_regimen(
    model: PKModel,
    route: PKRoute,
    *,
    dose_mg: Decimal | None = None,
    dose_mg_per_kg: Decimal | None = None,
    duration_min: float = 0.0,
) -> Regimen:
    """What "one dose by this route" means for ``model``: an IV bolus or infusion, a single
    non-IV dose, or, for esketamine nasal spray, a session of 28 mg devices 5 minutes apart.
    """
    if route not in model.routes:
        allowed = ", ".join(r.value for r in model.routes)
        raise UnknownCode("route", f"{model.id} has no {route.value} route (it has {allowed})")
    if model.drug is Drug.ESKETAMINE and route is PKRoute.INTRANASAL:
        if dose_mg is not None and not dose_mg > 0:
            raise OutOfRange("dose_mg", f"must be more than 0, got {dose_mg}")
        if dose_mg is None:
            raise InvalidValue("dose_mg", "esketamine nasal spray is dosed in mg, not mg/kg")
        devices, remainder = divmod(dose_mg, NASAL_DEVICE_MG)
        if remainder or not 1 <= devices <= 3:
            raise InvalidValue("dose_mg", "esketamine nasal doses are 28, 56 or 84 mg (devices)")
        return nasal_session(int(devices))
    if route is PKRoute.IV and duration_min > 0:
        return infusion(duration_min=duration_min, dose_mg=dose_mg, dose_mg_per_kg=dose_mg_per_kg)
    if duration_min > 0:
        raise InvalidValue("duration_min", "only an IV dose can be given over a duration")
    return bolus(route, dose_mg=dose_mg, dose_mg_per_kg=dose_mg_per_kg)


def regimen_dose_mg(regimen: Regimen, weight_kg: Decimal) -> Decimal:
    """The regimen's total dose for a patient of ``weight_kg``, exactly."""
    return sum((_dose_mg(d, weight_kg) for d in regimen.doses), Decimal(0))


def _dose_mg(dose: Dose, weight_kg: Decimal) -> Decimal:
    if dose.amount_mg is not None:
        return dose.amount_mg
    assert dose.amount_mg_per_kg is not None  # a Dose has exactly one of the two
    return dose.amount_mg_per_kg * weight_kg


def check_inputs(model: PKModel, regimen: Regimen, covariates: Covariates) -> None:
    """Raise an ``InputError`` naming the field if the simulation would be meaningless."""
    low, high = WEIGHT_RANGE_KG
    if not low <= covariates.weight_kg <= high:
        raise OutOfRange("weight_kg", f"must be {low}-{high} kg, got {covariates.weight_kg}")
    low, high = AGE_RANGE_YEARS
    if not low <= covariates.age_years <= high:
        raise OutOfRange("age_years", f"must be {low}-{high} years, got {covariates.age_years}")
    for route in sorted(regimen.routes - set(model.routes)):
        allowed = ", ".join(r.value for r in model.routes)
        raise UnknownCode("route", f"{model.id} has no {route.value} route (it has {allowed})")
    if model.drug is Drug.ESKETAMINE:
        for dose in regimen.doses:
            if dose.route is PKRoute.INTRANASAL and dose.amount_mg != NASAL_DEVICE_MG:
                raise InvalidValue("dose_mg", "each esketamine nasal dose is one 28 mg device")


def simulate_batch(
    model: PKModel,
    regimen: Regimen,
    covariates: CovariateArrays,
    etas: Mapping[str, np.ndarray],
    times_h: np.ndarray,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Concentrations (T, outputs, patients) for a batch; inputs are assumed checked.

    ``out`` (same shape) is filled instead of a new array, so chunked callers reuse one."""
    structure = model.structure
    individual = structure.individual(model, covariates, etas)
    system = structure.system(individual, regimen.routes)
    inputs = [
        entry
        for dose in regimen.doses
        for entry in structure.inputs(dose, individual, covariates, system.state_names)
    ]
    return solve(system, inputs, times_h, len(covariates), out)


def checked_times(times_h: np.ndarray) -> np.ndarray:
    """The grid as float64, refused (``times_h``) unless finite, from 0 on, strictly rising."""
    times = np.asarray(times_h, dtype=np.float64)
    if times.ndim != 1 or times.size < 2 or not np.all(np.isfinite(times)):
        raise InvalidValue("times_h", "needs at least two finite times")
    if times[0] < 0 or np.any(np.diff(times) <= 0):
        raise InvalidValue("times_h", "must start at 0 or later and increase strictly")
    return times


def model_for_regimen(regimen: Regimen) -> PKModel:
    """The default model of the regimen's first route (``check_inputs`` then checks the rest)."""
    if not regimen.doses:
        raise InvalidValue("regimen", "has no doses")
    return default_model(regimen.doses[0].route)


def simulate(
    regimen: Regimen,
    covariates: Covariates,
    times_h: np.ndarray,
    model: PKModel | None = None,
) -> Simulation:
    """The typical patient with these covariates (no random effects) under ``regimen``."""
    model = model or model_for_regimen(regimen)
    times = checked_times(times_h)
    check_inputs(model, regimen, covariates)
    result = simulate_batch(model, regimen, CovariateArrays.of(covariates), {}, times)
    parent = result[:, 0, 0]
    summary = exposure(times, result[:, 0, :])
    return Simulation(
        model=model,
        regimen=regimen,
        covariates=covariates,
        times_h=times,
        concentration_ng_per_ml=parent,
        metabolite_ng_per_ml=result[:, 1, 0] if result.shape[1] > 1 else None,
        cmax_ng_per_ml=float(summary.cmax_ng_per_ml[0]),
        tmax_h=float(summary.tmax_h[0]),
        auc_ng_h_per_ml=float(summary.auc_ng_h_per_ml[0]),
    )
