"""Regimens, the catalogue and the single-patient input checks."""

from decimal import Decimal

import numpy as np
import pytest

from ketaclinic.clinical.exceptions import InputError, InvalidValue, OutOfRange, UnknownCode
from ketaclinic.clinical.pharmacokinetics import (
    CLEMENTS_1981,
    DEFAULT_MODEL_BY_ROUTE,
    DOMINO_1984,
    HERD_2007,
    MODELS,
    NASAL_DEVICE_MG,
    PEREZ_RUIXO_2021,
    Covariates,
    Dose,
    PKRoute,
    Regimen,
    bolus,
    default_model,
    get_model,
    infusion,
    nasal_session,
    pk_route,
    simulate,
    single_dose_regimen,
    time_grid,
)
from ketaclinic.clinical.pharmacokinetics.simulation import regimen_dose_mg
from ketaclinic.clinical.sources import SOURCES

ADULT = Covariates(weight_kg=Decimal("70"))


def test_a_nasal_session_spaces_its_28_mg_devices_five_minutes_apart():
    session = nasal_session(3, at_h=1.0)
    assert [d.start_h for d in session.doses] == pytest.approx([1.0, 1 + 5 / 60, 1 + 10 / 60])
    assert [d.device_number for d in session.doses] == [1, 2, 3]
    assert all(d.amount_mg == NASAL_DEVICE_MG == Decimal("28") for d in session.doses)


@pytest.mark.parametrize("devices", [0, 4])
def test_a_nasal_session_has_one_to_three_devices(devices):
    with pytest.raises(OutOfRange) as error:
        nasal_session(devices)
    assert error.value.field == "devices"


def test_twice_weekly_sessions_and_an_induction_series_repeat_every_dose():
    twice_weekly = nasal_session(2).repeated(every_h=84.0, count=8)
    assert len(twice_weekly.doses) == 16
    assert twice_weekly.doses[-1].start_h == pytest.approx(7 * 84 + 5 / 60)
    assert twice_weekly.doses[-1].device_number == 2
    series = infusion(duration_min=40, dose_mg_per_kg=Decimal("0.5")).repeated(56.0, 6)
    assert [d.start_h for d in series.doses] == [0, 56, 112, 168, 224, 280]


@pytest.mark.parametrize(("every_h", "count", "field"), [(84.0, 0, "count"), (0.0, 2, "every_h")])
def test_repeats_need_a_positive_interval_and_count(every_h, count, field):
    with pytest.raises(OutOfRange) as error:
        nasal_session(1).repeated(every_h, count)
    assert error.value.field == field


def test_regimens_combine_across_routes():
    combined = bolus(PKRoute.IM, dose_mg=Decimal("50")) + bolus(
        PKRoute.ORAL, dose_mg=Decimal("100"), at_h=2.0
    )
    assert combined.routes == frozenset({PKRoute.IM, PKRoute.ORAL})


@pytest.mark.parametrize(
    ("kwargs", "field", "error"),
    [
        ({"amount_mg": Decimal("-1")}, "dose_mg", OutOfRange),
        ({"amount_mg": Decimal("0")}, "dose_mg", OutOfRange),
        ({"amount_mg_per_kg": Decimal("-0.5")}, "dose_mg_per_kg", OutOfRange),
        ({}, "dose_mg", InvalidValue),
        ({"amount_mg": Decimal("1"), "amount_mg_per_kg": Decimal("1")}, "dose_mg", InvalidValue),
        ({"amount_mg": Decimal("1"), "start_h": -1.0}, "start_h", OutOfRange),
        ({"amount_mg": Decimal("1"), "duration_h": -1.0}, "duration_min", OutOfRange),
        (
            {"amount_mg": Decimal("1"), "duration_h": 1.0, "route": PKRoute.ORAL},
            "duration_min",
            InvalidValue,
        ),
    ],
)
def test_bad_doses_name_the_field(kwargs, field, error):
    arguments = {"route": PKRoute.IV, "start_h": 0.0} | kwargs
    with pytest.raises(error) as raised:
        Dose(**arguments)
    assert raised.value.field == field


def test_an_infusion_needs_a_duration():
    with pytest.raises(OutOfRange) as error:
        infusion(duration_min=0, dose_mg=Decimal("35"))
    assert error.value.field == "duration_min"


def test_every_route_has_a_default_model_that_supports_it():
    for route in PKRoute:
        model = default_model(route)
        assert route in model.routes
        assert DEFAULT_MODEL_BY_ROUTE[route] == model.id
    assert default_model(PKRoute.IV) is CLEMENTS_1981
    assert default_model(PKRoute.INTRANASAL) is PEREZ_RUIXO_2021


def test_every_model_cites_registered_sources_for_every_number():
    for model in MODELS.values():
        keys = {model.source_key}
        keys |= {p.source_key for p in model.parameters}
        keys |= {r.source_key for r in model.random_effects}
        keys |= {c.source_key for c in model.covariate_rules}
        assert keys <= set(SOURCES), model.id
        for effect in model.random_effects:
            model.parameter(effect.parameter)  # every random effect acts on a real parameter


def test_herd_variability_is_read_as_coefficients_of_variation():
    # omega^2 = ln(1 + CV^2): V1 64% -> ln(1.4096) = 0.343306; Q 19% -> ln(1.0361) = 0.035464
    variances = {r.parameter: r.variance for r in HERD_2007.random_effects}
    assert variances["v1_l"] == pytest.approx(0.343306, rel=1e-5)
    assert variances["q_l_per_h"] == pytest.approx(0.035464, rel=1e-4)


def test_unknown_models_and_parameters_are_refused():
    with pytest.raises(UnknownCode) as error:
        get_model("marsh")
    assert error.value.field == "model"
    assert get_model("domino-1984") is DOMINO_1984
    with pytest.raises(KeyError):
        DOMINO_1984.value("ke0")
    with pytest.raises(KeyError):
        DOMINO_1984.parameter("ke0")


def test_single_dose_regimens_by_route():
    nasal = single_dose_regimen(PEREZ_RUIXO_2021, PKRoute.INTRANASAL, dose_mg=Decimal("84"))
    assert len(nasal.doses) == 3
    drip = single_dose_regimen(
        CLEMENTS_1981, PKRoute.IV, dose_mg_per_kg=Decimal("0.5"), duration_min=40
    )
    assert drip.doses[0].duration_h == pytest.approx(40 / 60)
    push = single_dose_regimen(DOMINO_1984, PKRoute.IV, dose_mg=Decimal("35"))
    assert push.doses[0].duration_h == 0
    assert regimen_dose_mg(drip, Decimal("80")) == Decimal("40.0")


@pytest.mark.parametrize(
    ("model", "route", "kwargs", "field"),
    [
        (HERD_2007, PKRoute.IM, {"dose_mg": Decimal("50")}, "route"),
        (PEREZ_RUIXO_2021, PKRoute.INTRANASAL, {"dose_mg": Decimal("-28")}, "dose_mg"),
        (PEREZ_RUIXO_2021, PKRoute.INTRANASAL, {"dose_mg": Decimal("42")}, "dose_mg"),
        (PEREZ_RUIXO_2021, PKRoute.INTRANASAL, {"dose_mg": Decimal("112")}, "dose_mg"),
        (PEREZ_RUIXO_2021, PKRoute.INTRANASAL, {"dose_mg_per_kg": Decimal("0.4")}, "dose_mg"),
        (
            CLEMENTS_1981,
            PKRoute.ORAL,
            {"dose_mg": Decimal("50"), "duration_min": 30},
            "duration_min",
        ),
    ],
)
def test_single_dose_regimens_refuse_what_the_model_cannot_mean(model, route, kwargs, field):
    with pytest.raises(InputError) as error:
        single_dose_regimen(model, route, **kwargs)
    assert error.value.field == field


@pytest.mark.parametrize(
    ("covariates", "regimen", "field"),
    [
        (Covariates(Decimal("19.9")), bolus(PKRoute.IV, dose_mg=Decimal("5")), "weight_kg"),
        (Covariates(Decimal("300.1")), bolus(PKRoute.IV, dose_mg=Decimal("5")), "weight_kg"),
        (
            Covariates(Decimal("70"), Decimal("121")),
            bolus(PKRoute.IV, dose_mg=Decimal("5")),
            "age_years",
        ),
        (ADULT, Regimen(()), "regimen"),
        (
            ADULT,
            bolus(PKRoute.IV, dose_mg=Decimal("5")) + bolus(PKRoute.IM, dose_mg=Decimal("5")),
            "route",
        ),
    ],
)
def test_simulation_inputs_are_checked_and_name_the_field(covariates, regimen, field):
    model = DOMINO_1984 if field == "route" else None
    with pytest.raises(InputError) as error:
        simulate(regimen, covariates, time_grid(1, 5), model=model)
    assert error.value.field == field


def test_weights_at_the_edges_of_the_range_are_accepted():
    for weight in ("20", "300"):
        simulate(
            bolus(PKRoute.IV, dose_mg=Decimal("5")), Covariates(Decimal(weight)), time_grid(1, 5)
        )


def test_esketamine_nasal_doses_must_be_whole_devices_in_a_hand_made_regimen():
    odd = Regimen((Dose(PKRoute.INTRANASAL, 0.0, Decimal("14")),))
    with pytest.raises(InvalidValue) as error:
        simulate(odd, ADULT, time_grid(1, 5), model=PEREZ_RUIXO_2021)
    assert error.value.field == "dose_mg"


@pytest.mark.parametrize(
    ("times", "field"),
    [
        ([0.0], "times_h"),
        ([0.0, 0.0], "times_h"),
        ([-1.0, 1.0], "times_h"),
        ([0, np.nan], "times_h"),
    ],
)
def test_time_grids_must_increase(times, field):
    with pytest.raises(InvalidValue) as error:
        simulate(bolus(PKRoute.IV, dose_mg=Decimal("5")), ADULT, np.array(times))
    assert error.value.field == field


@pytest.mark.parametrize(
    ("hours", "step", "field"),
    [(0, 5, "hours"), (24 * 29, 5, "hours"), (1, 0, "step_min"), (1, 61, "step_min")],
)
def test_time_grid_bounds(hours, step, field):
    with pytest.raises(OutOfRange) as error:
        time_grid(hours, step)
    assert error.value.field == field


def test_time_grid_includes_both_ends():
    grid = time_grid(24, 5)
    assert len(grid) == 289
    assert grid[-1] == 24.0
    assert len(time_grid(1, 7)) == 9  # 0, 7, ..., 56 minutes


def test_an_oral_esketamine_dose_and_an_iv_infusion_share_one_simulation():
    regimen = bolus(PKRoute.ORAL, dose_mg=Decimal("84")) + infusion(
        duration_min=40, dose_mg=Decimal("28"), at_h=6.0
    )
    result = simulate(regimen, ADULT, time_grid(12, 5), model=PEREZ_RUIXO_2021)
    assert result.metabolite_ng_per_ml is not None
    assert result.concentration_ng_per_ml[0] == 0.0
    # oral F = Fgut (1 - E) makes the IV peak higher than the oral one for a third of the dose
    assert result.tmax_h > 6.0


def test_shared_vocabulary_routes_map_to_pk_routes():
    from ketaclinic.clinical.vocabulary import Route

    assert pk_route(Route.ESKETAMINE) is PKRoute.INTRANASAL
    assert [pk_route(r) for r in (Route.IV, Route.IM, Route.SUBLINGUAL, Route.ORAL)] == [
        PKRoute.IV,
        PKRoute.IM,
        PKRoute.SUBLINGUAL,
        PKRoute.ORAL,
    ]


def test_sex_is_recorded_but_changes_no_catalogue_model():
    from ketaclinic.clinical.vocabulary import Sex

    woman = Covariates(Decimal("70"), sex=Sex.FEMALE)
    man = Covariates(Decimal("70"), sex=Sex.MALE)
    times = time_grid(2, 30)
    for model in MODELS.values():
        regimen = bolus(PKRoute.IV, dose_mg=Decimal("20"))
        assert np.array_equal(
            simulate(regimen, woman, times, model=model).concentration_ng_per_ml,
            simulate(regimen, man, times, model=model).concentration_ng_per_ml,
        )
