"""Run the pure pharmacokinetics core for the page: up to four regimens, one patient.

The core decides everything clinical (models, regimens, checks, exposure); this module only
lines the regimens up on one time grid, adds the optional virtual population with a fixed
seed, and names each regimen for the legend. Nothing here is cached: the inputs describe a
patient.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ketaclinic.clinical.pharmacokinetics import (
    Covariates,
    Drug,
    PKModel,
    PKRoute,
    PopulationSummary,
    Regimen,
    Simulation,
    simulate,
    simulate_population,
    time_grid,
)
from ketaclinic.clinical.pharmacokinetics.simulation import regimen_dose_mg

__all__ = [
    "MAX_PAGE_POPULATION",
    "MAX_REGIMENS",
    "POPULATION_SEED",
    "ROUTE_LABELS",
    "ComparedRegimen",
    "PlannedRegimen",
    "compare",
    "grid_step_min",
]

MAX_REGIMENS = 4
MAX_PAGE_POPULATION = 20_000
"""Largest population the page simulates: a few hundred milliseconds per regimen on a laptop
(the CLI goes to millions)."""
POPULATION_SEED = 20_260_310
"""Fixed so that the same inputs always draw the same virtual patients; shown on the page."""

ROUTE_LABELS = {
    PKRoute.IV: "IV",
    PKRoute.IM: "IM",
    PKRoute.INTRANASAL: "Nasal",
    PKRoute.SUBLINGUAL: "Sublingual",
    PKRoute.ORAL: "Oral",
}


@dataclass(frozen=True)
class PlannedRegimen:
    """One column of the form, checked by the core: what to give and with which model."""

    route: PKRoute
    model: PKModel
    regimen: Regimen
    dose_text: str
    infusion_min: int = 0

    def label(self, weight_kg: Decimal) -> str:
        drug = "esketamine" if self.model.drug is Drug.ESKETAMINE else "ketamine"
        total = regimen_dose_mg(self.regimen, weight_kg)
        text = f"{ROUTE_LABELS[self.route]} {drug} {self.dose_text}"
        if "/kg" in self.dose_text:
            text += f" ({total.quantize(Decimal('0.1'), ROUND_HALF_UP).normalize():f} mg)"
        if self.infusion_min:
            text += f" over {self.infusion_min} min"
        return text


@dataclass(frozen=True)
class ComparedRegimen:
    number: int
    label: str
    planned: PlannedRegimen
    dose_mg: Decimal
    simulation: Simulation
    population: PopulationSummary | None


def grid_step_min(hours: int) -> int:
    """5 minutes up to a day (infusion ends and device spacing land on it), then coarser so
    a chart never holds more than about 300 points per curve."""
    return 5 * math.ceil(hours / 24)


def compare(
    planned: list[PlannedRegimen],
    covariates: Covariates,
    *,
    hours: int,
    population: int,
    weight_cv: float = 0.0,
) -> list[ComparedRegimen]:
    """Simulate each regimen for a typical patient with ``covariates`` and, when
    ``population`` > 0, for that many virtual patients around them (seed fixed; weights
    spread by ``weight_cv``, 0 keeping everyone at the patient's weight)."""
    times = time_grid(hours, grid_step_min(hours))
    results = []
    for number, plan in enumerate(planned, start=1):
        simulation = simulate(plan.regimen, covariates, times, model=plan.model)
        summary = None
        if population:
            summary = simulate_population(
                plan.regimen,
                covariates,
                times,
                n=population,
                seed=POPULATION_SEED,
                model=plan.model,
                weight_cv=weight_cv,
                allow_without_variability=True,  # the page says "same for every patient"
            )
        results.append(
            ComparedRegimen(
                number=number,
                label=plan.label(covariates.weight_kg),
                planned=plan,
                dose_mg=regimen_dose_mg(plan.regimen, covariates.weight_kg),
                simulation=simulation,
                population=summary,
            )
        )
    return results
