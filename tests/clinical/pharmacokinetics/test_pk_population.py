"""Exposure summaries, streamed percentile bands and virtual populations."""

from decimal import Decimal

import numpy as np
import pytest

from ketaclinic.clinical.exceptions import InvalidValue, OutOfRange
from ketaclinic.clinical.pharmacokinetics import (
    CLEMENTS_1981,
    DOMINO_1984,
    HERD_2007,
    PEREZ_RUIXO_2021,
    Covariates,
    Drug,
    PKRoute,
    bolus,
    infusion,
    nasal_session,
    simulate,
    simulate_population,
    time_grid,
)
from ketaclinic.clinical.pharmacokinetics.catalogue import models_varying_on
from ketaclinic.clinical.pharmacokinetics.population import PopulationSampler
from ketaclinic.clinical.pharmacokinetics.summaries import BandAccumulator, exposure, time_above

ADULT = Covariates(weight_kg=Decimal("70"))
DRIP = infusion(duration_min=40, dose_mg_per_kg=Decimal("0.5"))


def test_exposure_of_a_hand_made_curve():
    times = np.array([0.0, 1.0, 2.0, 4.0])
    curve = np.array([[0.0], [10.0], [6.0], [2.0]])
    result = exposure(times, curve)
    # AUC = (0+10)/2 x 1 + (10+6)/2 x 1 + (6+2)/2 x 2 = 5 + 8 + 8 = 21
    assert result.cmax_ng_per_ml[0] == 10.0
    assert result.tmax_h[0] == 1.0
    assert result.auc_ng_h_per_ml[0] == 21.0


def test_time_above_a_threshold_interpolates_the_crossings():
    times = np.array([0.0, 1.0, 2.0, 4.0])
    curve = np.array([[0.0, 9.0], [10.0, 9.0], [6.0, 9.0], [2.0, 9.0]])
    # threshold 5: up at 0.5 h (0 -> 10), down at 2.5 h (6 -> 2 over 2 h: 2 + 2 x 1/4) = 2.0 h.
    # threshold 9: up at 0.9 h, down at 1 + (9 - 10)/(6 - 10) = 1.25 h: 0.35 h.
    # The flat curve at 9 is above for all 4 h; exactly at the threshold counts as above.
    assert time_above(times, curve, 5.0).tolist() == [2.0, 4.0]
    assert time_above(times, curve, 9.0).tolist() == pytest.approx([0.35, 4.0])
    assert time_above(times, curve, 10.0).tolist() == [0.0, 0.0]


def test_histogram_bands_agree_with_exact_percentiles_within_the_bin_width():
    rng = np.random.default_rng(3)
    values = np.exp(rng.normal(3.0, 0.8, size=(4, 20_000)))
    values[0] = 0.0  # before absorption: reported as 0
    exact = BandAccumulator(4)
    sketch = BandAccumulator(4, exact_limit_values=40_000)  # switches after 3 chunks
    for chunk in np.array_split(values, 7, axis=1):
        exact.add(chunk)
        sketch.add(chunk)
    assert exact.exact
    assert not sketch.exact
    reference = np.percentile(values, [5, 25, 50, 75, 95], axis=1)
    assert np.allclose(exact.bands(), reference, rtol=0, atol=0)
    assert np.all(sketch.bands()[:, 0] == 0.0)
    assert np.allclose(sketch.bands()[:, 1:], reference[:, 1:], rtol=0.006)


def test_a_population_is_reproducible_from_its_seed_and_independent_of_chunk_size():
    times = time_grid(6, 15)
    first = simulate_population(DRIP, ADULT, times, n=300, seed=7, model=HERD_2007, chunk_size=64)
    again = simulate_population(DRIP, ADULT, times, n=300, seed=7, model=HERD_2007, chunk_size=300)
    other = simulate_population(DRIP, ADULT, times, n=300, seed=8, model=HERD_2007)
    assert np.array_equal(first.concentration_bands_ng_per_ml, again.concentration_bands_ng_per_ml)
    assert np.array_equal(first.cmax_ng_per_ml, again.cmax_ng_per_ml)
    assert not np.array_equal(first.cmax_ng_per_ml, other.cmax_ng_per_ml)
    assert first.band_method == "exact"
    assert first.time_above_h is None


def test_population_bands_are_ordered_and_bracket_the_typical_patient():
    times = time_grid(12, 10)
    summary = simulate_population(
        DRIP, ADULT, times, n=2000, seed=1, model=HERD_2007, threshold_ng_per_ml=100.0
    )
    bands = summary.concentration_bands_ng_per_ml
    assert np.all(np.diff(bands, axis=0) >= 0)
    typical = simulate(DRIP, ADULT, times, model=HERD_2007).concentration_ng_per_ml
    assert np.all(bands[0, 1:] < typical[1:])
    assert np.all(typical[1:] < bands[-1, 1:])
    assert summary.time_above_h is not None
    assert np.all(np.diff(summary.time_above_h) >= 0)


def test_log_normal_random_effects_have_the_published_variance():
    sampler = PopulationSampler(HERD_2007, ADULT, seed=11, weight_cv=0.0)
    covariates, etas = sampler.draw(40_000)
    assert np.all(covariates.weight_kg == 70.0)
    # V1: omega^2 = ln(1 + 0.64^2) = 0.3433; the sample variance of 40,000 draws is within 3%.
    assert np.var(etas["v1_l"]) == pytest.approx(0.3433, rel=0.03)
    assert np.mean(etas["v1_l"]) == pytest.approx(0.0, abs=0.01)


def test_fractions_vary_on_the_logit_scale_and_stay_between_zero_and_one():
    summary = simulate_population(
        bolus(PKRoute.ORAL, dose_mg=Decimal("100")),
        ADULT,
        time_grid(24, 30),
        n=2000,
        seed=5,
        model=CLEMENTS_1981,
    )
    # AUC is proportional to F; F = expit(logit(0.20) + eta) keeps every AUC below the IV one
    # (1246.6 ng.h/mL for 100 mg, worked in racemic_routes.json) and above 0.
    assert 0 < summary.auc_ng_h_per_ml[0] < summary.auc_ng_h_per_ml[-1] < 1246.6


def test_sampled_weights_scale_weight_based_doses_and_are_clipped_to_the_accepted_range():
    sampler = PopulationSampler(CLEMENTS_1981, Covariates(Decimal("250")), seed=2, weight_cv=0.5)
    covariates, _ = sampler.draw(5000)
    assert covariates.weight_kg.max() == 300.0
    assert covariates.weight_kg.min() >= 20.0


def test_esketamine_populations_report_noresketamine_bands_and_progress():
    calls = []
    summary = simulate_population(
        nasal_session(2),
        ADULT,
        time_grid(4, 20),
        n=500,
        seed=3,
        chunk_size=200,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert summary.model is PEREZ_RUIXO_2021
    assert summary.metabolite_bands_ng_per_ml is not None
    assert calls == [(200, 500), (400, 500), (500, 500)]


def test_large_populations_switch_to_histogram_bands():
    summary = simulate_population(
        DRIP, ADULT, time_grid(2, 30), n=1000, seed=1, model=HERD_2007, exact_limit_values=100
    )
    assert summary.band_method == "histogram"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"n": 0}, "n"),
        ({"n": 10**8}, "n"),
        ({"seed": -1}, "seed"),
        ({"weight_cv": 2.0}, "weight_cv"),
        ({"threshold_ng_per_ml": 0.0}, "threshold_ng_per_ml"),
    ],
)
def test_population_inputs_are_checked(kwargs, field):
    arguments = {"n": 10, "seed": 1, "model": HERD_2007} | kwargs
    with pytest.raises(OutOfRange) as error:
        simulate_population(DRIP, ADULT, time_grid(1, 30), **arguments)
    assert error.value.field == field


def test_long_grids_get_fewer_patients_per_chunk_so_memory_stays_bounded():
    calls = []
    simulate_population(
        nasal_session(1),
        ADULT,
        time_grid(2, 30),  # 5 times x 2 outputs = 10 values per patient
        n=25,
        seed=1,
        chunk_values=100,  # -> 10 patients per chunk
        progress=lambda done, total: calls.append(done),
    )
    assert calls == [10, 20, 25]


def test_a_population_on_a_model_without_variability_is_refused_naming_those_with_it():
    # Clements & Nimmo 1981 (the IV default) published no between-subject variability: every
    # virtual patient would get the same curve (p5 = p50 = p95).
    with pytest.raises(InvalidValue) as error:
        simulate_population(DRIP, ADULT, time_grid(1, 30), n=10, seed=1)
    assert error.value.field == "model"
    assert "clements-1981 has no published between-subject variability for iv" in str(error.value)
    assert "models with it for iv: herd-2007" in str(error.value)
    assert "perez-ruixo-2021" not in str(error.value)  # another drug


def test_a_caller_that_labels_identical_patients_may_still_ask():
    summary = simulate_population(
        DRIP, ADULT, time_grid(1, 30), n=10, seed=1, allow_without_variability=True
    )
    bands = summary.concentration_bands_ng_per_ml
    assert (bands[0] == bands[-1]).all()


def test_variability_is_judged_per_route():
    # Clements: bioavailability varies for sublingual and oral (Chong 2006), not IV or IM.
    assert CLEMENTS_1981.varies_on(PKRoute.SUBLINGUAL)
    assert CLEMENTS_1981.varies_on(PKRoute.ORAL)
    assert not CLEMENTS_1981.varies_on(PKRoute.IV)
    assert not CLEMENTS_1981.varies_on(PKRoute.IM)
    assert HERD_2007.varies_on(PKRoute.IV)
    assert not DOMINO_1984.varies_on(PKRoute.IV)
    assert models_varying_on(PKRoute.IM, Drug.RACEMIC_KETAMINE) == ()


def test_im_with_no_model_varying_says_to_simulate_one_patient():
    im = bolus(PKRoute.IM, dose_mg=Decimal("35"))
    with pytest.raises(InvalidValue) as error:
        simulate_population(im, ADULT, time_grid(1, 30), n=10, seed=1)
    assert "no catalogue model has it for im; simulate one patient instead" in str(error.value)


def test_every_model_states_its_validation_as_a_caveat():
    # Zarate 2006: about 185 ng/mL at the end of 0.5 mg/kg over 40 min at 70 kg. Domino
    # predicts 240 (+30%), Clements 177 (-4%), Herd 253 (+37%).
    for model in (CLEMENTS_1981, DOMINO_1984, HERD_2007, PEREZ_RUIXO_2021):
        assert model.validation.startswith("Validation: ")
        assert model.validation in model.caveats
    assert "over-predicts observed venous concentrations by about 30%" in DOMINO_1984.validation
