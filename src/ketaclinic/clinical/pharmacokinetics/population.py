"""Virtual populations: sampled covariates and random effects, simulated in chunks.

Each random quantity (weight, and each of the model's random effects) draws from its own
stream spawned from one ``SeedSequence(seed)``, so a population is reproducible from its
seed *and* independent of the chunk size. Random effects are normal on the log scale
(positive parameters) or the logit scale (fractions), with the model's published variances.
Chunks of ``chunk_size`` patients are simulated and summarised one after another, so memory
stays bounded however large ``n`` is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ketaclinic.clinical.exceptions import InvalidValue, OutOfRange
from ketaclinic.clinical.pharmacokinetics.catalogue import models_varying_on
from ketaclinic.clinical.pharmacokinetics.models import CovariateArrays, Covariates, PKModel
from ketaclinic.clinical.pharmacokinetics.regimens import Regimen
from ketaclinic.clinical.pharmacokinetics.simulation import (
    WEIGHT_RANGE_KG,
    check_inputs,
    checked_times,
    model_for_regimen,
    simulate_batch,
)
from ketaclinic.clinical.pharmacokinetics.summaries import (
    BAND_PERCENTILES,
    EXACT_LIMIT_VALUES,
    BandAccumulator,
    exposure,
    time_above,
)

__all__ = [
    "CHUNK_VALUES",
    "MAX_POPULATION",
    "PopulationSampler",
    "PopulationSummary",
    "simulate_population",
]

MAX_POPULATION = 10_000_000

CHUNK_VALUES = 8_388_608
"""Most concentrations one chunk holds (64 MB of float64): long grids get fewer patients per
chunk, so memory stays bounded for a four-week grid as for a day."""


@dataclass(frozen=True, slots=True, eq=False)
class PopulationSummary:
    """Percentile bands over time and percentiles of per-patient exposure."""

    model: PKModel
    n: int
    seed: int
    times_h: np.ndarray
    percentiles: tuple[int, ...]
    concentration_bands_ng_per_ml: np.ndarray
    metabolite_bands_ng_per_ml: np.ndarray | None
    cmax_ng_per_ml: np.ndarray
    tmax_h: np.ndarray
    auc_ng_h_per_ml: np.ndarray
    time_above_h: np.ndarray | None
    threshold_ng_per_ml: float | None
    band_method: str


class PopulationSampler:
    """Draws patients like ``covariates``: weight log-normal around it (``weight_cv``, 0 for
    fixed, clipped to the accepted range), other covariates fixed, and random effects."""

    def __init__(self, model: PKModel, covariates: Covariates, seed: int, weight_cv: float) -> None:
        if not 0 <= weight_cv <= 1:
            raise OutOfRange("weight_cv", f"must be 0-1, got {weight_cv}")
        self.model = model
        self.covariates = covariates
        self.weight_sigma = float(np.sqrt(np.log1p(weight_cv**2)))
        streams = np.random.SeedSequence(seed).spawn(1 + len(model.random_effects))
        self._weight_rng = np.random.default_rng(streams[0])
        self._eta_rngs = [np.random.default_rng(s) for s in streams[1:]]

    def draw(self, size: int) -> tuple[CovariateArrays, dict[str, np.ndarray]]:
        base = CovariateArrays.of(self.covariates)
        weight = float(self.covariates.weight_kg) * np.exp(
            self.weight_sigma * self._weight_rng.standard_normal(size)
        )
        low, high = (float(w) for w in WEIGHT_RANGE_KG)
        covariates = CovariateArrays(
            weight_kg=np.clip(weight, low, high),
            age_years=np.repeat(base.age_years, size),
            female=np.repeat(base.female, size),
            asian=np.repeat(base.asian, size),
            japanese=np.repeat(base.japanese, size),
        )
        etas = {
            effect.parameter: np.sqrt(effect.variance) * rng.standard_normal(size)
            for effect, rng in zip(self.model.random_effects, self._eta_rngs, strict=True)
        }
        return covariates, etas


def simulate_population(
    regimen: Regimen,
    covariates: Covariates,
    times_h: np.ndarray,
    *,
    n: int,
    seed: int,
    model: PKModel | None = None,
    weight_cv: float = 0.0,
    threshold_ng_per_ml: float | None = None,
    chunk_size: int = 32_768,
    chunk_values: int = CHUNK_VALUES,
    exact_limit_values: int = EXACT_LIMIT_VALUES,
    progress: Callable[[int, int], None] | None = None,
    allow_without_variability: bool = False,
) -> PopulationSummary:
    """Simulate ``n`` virtual patients and summarise them chunk by chunk.

    A chunk holds at most ``chunk_size`` patients and ``chunk_values`` concentrations.

    A model with no published between-subject variability on the regimen's routes would
    give every virtual patient the same curve (p5 = p50 = p95, or a spread of weight
    alone): that is refused, naming the models that have variability for the route,
    unless the caller shows the result as such (``allow_without_variability``, the PK
    page, which labels it "the same for every virtual patient").

    ``progress(done, n)`` is called after each chunk (the CLI draws its bar with it).
    """
    if not 1 <= n <= MAX_POPULATION:
        raise OutOfRange("n", f"must be 1 to {MAX_POPULATION:,}, got {n}")
    if seed < 0:
        raise OutOfRange("seed", f"must be 0 or more, got {seed}")
    if threshold_ng_per_ml is not None and not threshold_ng_per_ml > 0:
        raise OutOfRange("threshold_ng_per_ml", f"must be more than 0, got {threshold_ng_per_ml}")
    model = model or model_for_regimen(regimen)
    if not allow_without_variability and not any(model.varies_on(r) for r in regimen.routes):
        _refuse_without_variability(model, regimen)
    times = checked_times(times_h)
    check_inputs(model, regimen, covariates)
    sampler = PopulationSampler(model, covariates, seed, weight_cv)
    outputs = 2 if model.metabolite else 1
    chunk_size = max(1, min(chunk_size, chunk_values // (len(times) * outputs)))
    parent_bands = BandAccumulator(len(times), exact_limit_values)
    metabolite_bands: BandAccumulator | None = None
    cmax, tmax, auc = np.empty(n), np.empty(n), np.empty(n)
    above = np.empty(n) if threshold_ng_per_ml is not None else None
    done = 0
    buffer: np.ndarray | None = None
    while done < n:
        size = min(chunk_size, n - done)
        chunk_covariates, etas = sampler.draw(size)
        if buffer is None or buffer.shape[2] != size:
            buffer = None
        result = simulate_batch(model, regimen, chunk_covariates, etas, times, buffer)
        buffer = result
        parent = result[:, 0, :]
        summary = exposure(times, parent)
        window = slice(done, done + size)
        cmax[window], tmax[window] = summary.cmax_ng_per_ml, summary.tmax_h
        auc[window] = summary.auc_ng_h_per_ml
        if above is not None:
            above[window] = time_above(times, parent, threshold_ng_per_ml)  # type: ignore[arg-type]
        parent_bands.add(parent)
        if result.shape[1] > 1:
            metabolite_bands = metabolite_bands or BandAccumulator(len(times), exact_limit_values)
            metabolite_bands.add(result[:, 1, :])
        done += size
        if progress is not None:
            progress(done, n)
    return PopulationSummary(
        model=model,
        n=n,
        seed=seed,
        times_h=times,
        percentiles=BAND_PERCENTILES,
        concentration_bands_ng_per_ml=parent_bands.bands(),
        metabolite_bands_ng_per_ml=metabolite_bands.bands() if metabolite_bands else None,
        cmax_ng_per_ml=np.percentile(cmax, BAND_PERCENTILES),
        tmax_h=np.percentile(tmax, BAND_PERCENTILES),
        auc_ng_h_per_ml=np.percentile(auc, BAND_PERCENTILES),
        time_above_h=np.percentile(above, BAND_PERCENTILES) if above is not None else None,
        threshold_ng_per_ml=threshold_ng_per_ml,
        band_method="exact" if parent_bands.exact else "histogram",
    )


def _refuse_without_variability(model: PKModel, regimen: Regimen) -> None:
    routes = sorted(regimen.routes)
    names = sorted({m.id for route in routes for m in models_varying_on(route, model.drug)})
    where = ", ".join(r.value for r in routes)
    others = (
        f"models with it for {where}: {', '.join(names)}"
        if names
        else f"no catalogue model has it for {where}; simulate one patient instead"
    )
    raise InvalidValue(
        "model",
        f"{model.id} has no published between-subject variability for {where}: every "
        f"virtual patient would be the same; {others}",
    )
