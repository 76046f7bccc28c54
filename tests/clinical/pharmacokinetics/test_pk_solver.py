"""The exact solver against hand-worked closed forms and against solve_ivp (the oracle)."""

import itertools
import json
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from ketaclinic.clinical.pharmacokinetics import (
    CLEMENTS_1981,
    DOMINO_1984,
    HERD_2007,
    PEREZ_RUIXO_2021,
    Covariates,
    PKRoute,
    Regimen,
    bolus,
    infusion,
    nasal_session,
    time_grid,
)
from ketaclinic.clinical.pharmacokinetics.models import CovariateArrays, SystemArrays
from ketaclinic.clinical.pharmacokinetics.solver import Input, solve

CASES = Path(__file__).parents[1] / "cases" / "pharmacokinetics"
CLOSED_FORMS = json.loads((CASES / "one_compartment_closed_forms.json").read_text())


def one_compartment(ka_per_h: float | None, batch: int = 1) -> SystemArrays:
    """A depot (optional) feeding one compartment of 10 L eliminating at 0.5/h."""
    k, volume = CLOSED_FORMS["k_per_h"], CLOSED_FORMS["volume_l"]
    if ka_per_h is None:
        matrix = np.array([[[-k]]])
        observe = np.array([[[1000.0 / volume]]])
        names = ("central",)
    else:
        matrix = np.array([[[-ka_per_h, 0.0], [ka_per_h, -k]]])
        observe = np.array([[[0.0, 1000.0 / volume]]])
        names = ("depot", "central")
    return SystemArrays(
        np.repeat(matrix, batch, axis=0), np.repeat(observe, batch, axis=0), names, ("drug",)
    )


@pytest.mark.parametrize("case", CLOSED_FORMS["cases"], ids=lambda c: c["name"])
def test_one_compartment_solutions_match_the_hand_worked_closed_forms(case):
    ka = case.get("ka_per_h")
    system = one_compartment(ka)
    dose = Input(0, 0.0, case.get("duration_h", 0.0), np.array([float(case["dose_mg"])]))
    times = np.array([0.0, case["time_h"]])
    result = solve(system, [dose], times, 1)
    assert result[1, 0, 0] == pytest.approx(case["concentration_ng_per_ml"], rel=1e-9)


def test_a_defective_matrix_in_a_mixed_batch_uses_the_dense_path_for_that_patient_only():
    # Patient 0: ka = k (defective, t e^-kt); patient 1: ka = 2/h (Bateman). Same answers as
    # the closed forms in the JSON, worked by hand there.
    a = np.array([[[-0.5, 0.0], [0.5, -0.5]], [[-2.0, 0.0], [2.0, -0.5]]])
    observe = np.array([[[0.0, 100.0]], [[0.0, 100.0]]])
    system = SystemArrays(a, observe, ("depot", "central"), ("drug",))
    result = solve(system, [Input(0, 0.0, 0.0, np.array([100.0, 100.0]))], np.array([1.0, 2.0]), 2)
    assert result[1, 0, 0] == pytest.approx(3678.794412, rel=1e-9)
    assert result[0, 0, 1] == pytest.approx(6282.605020, rel=1e-9)


def test_complex_eigenvalues_are_solved_exactly_on_the_dense_path():
    # x' = [[-1, -2], [2, -1]] x, x(0) = (1, 0): x1(t) = e^-t cos 2t. At t = 1:
    # e^-1 cos 2 = 0.367879 x -0.416147 = -0.153092; observed with weight 1.
    a = np.array([[[-1.0, -2.0], [2.0, -1.0]], [[-1.0, -2.0], [2.0, -1.0001]]])
    system = SystemArrays(a, np.array([[[1.0, 0.0]]] * 2), ("a", "b"), ("x",))
    result = solve(system, [Input(0, 0.0, 0.0, np.array([1.0]))], np.array([0.0, 1.0]), 2)
    assert result[1, 0, 0] == pytest.approx(np.exp(-1) * np.cos(2), rel=1e-9)


def test_an_infusion_that_spans_output_times_and_a_later_bolus_superpose():
    system = one_compartment(None)
    doses = [
        Input(0, 0.0, 2.0, np.array([100.0])),
        Input(0, 3.0, 0.0, np.array([100.0])),
    ]
    times = np.array([0.0, 1.0, 2.0, 3.0])
    result = solve(system, doses, times, 1)[:, 0, 0]
    # at 3 h: infusion 6.321206 x e^-0.5 (0.6065307) = 3.834005 mg/L,
    # plus the bolus 10 mg/L given at that very time
    assert result[3] == pytest.approx(3834.004996 + 10000.0, rel=1e-7)
    assert result[0] == 0.0


def oracle(
    model, regimen: Regimen, covariates: Covariates, times: np.ndarray, etas=None
) -> np.ndarray:
    """LSODA (rtol 1e-10) on the same equations, piecewise between dosing events."""
    arrays = CovariateArrays.of(covariates)
    individual = model.structure.individual(model, arrays, etas or {})
    system = model.structure.system(individual, regimen.routes)
    inputs = [
        i
        for dose in regimen.doses
        for i in model.structure.inputs(dose, individual, arrays, system.state_names)
    ]
    matrix = system.matrix_per_h[0]

    def rhs(t, x):
        rate = np.zeros(len(x))
        for i in inputs:
            if i.duration_h > 0 and i.start_h <= t < i.start_h + i.duration_h:
                rate[i.state] += i.amount_mg[0] / i.duration_h
        return matrix @ x + rate

    edges = sorted(
        {0.0, float(times[-1])}
        | {i.start_h for i in inputs}
        | {i.start_h + i.duration_h for i in inputs}
    )
    state = np.zeros(len(system.state_names))
    values = np.zeros((len(times), system.observe.shape[1]))
    for begin, end in itertools.pairwise(edges):
        for i in inputs:
            if i.duration_h == 0 and i.start_h == begin:
                state[i.state] += i.amount_mg[0]
        inside = (times >= begin) & (times < end)
        solution = solve_ivp(
            rhs,
            (begin, end),
            state,
            method="LSODA",
            rtol=1e-10,
            atol=1e-13,
            t_eval=np.append(times[inside], end),
        )
        values[inside] = (system.observe[0] @ solution.y[:, :-1]).T
        state = solution.y[:, -1]
    values[-1] = system.observe[0] @ state
    return values


ORACLE_CASES = [
    (CLEMENTS_1981, infusion(duration_min=40, dose_mg_per_kg=Decimal("0.5"))),
    (
        DOMINO_1984,
        bolus(PKRoute.IV, dose_mg=Decimal("35"))
        + bolus(PKRoute.IV, dose_mg=Decimal("10"), at_h=1.1),
    ),
    (HERD_2007, infusion(duration_min=40, dose_mg=Decimal("35")).repeated(every_h=6.0, count=2)),
    (
        CLEMENTS_1981,
        bolus(PKRoute.SUBLINGUAL, dose_mg=Decimal("100"))
        + bolus(PKRoute.IM, dose_mg=Decimal("25"), at_h=2.0)
        + bolus(PKRoute.ORAL, dose_mg=Decimal("50"), at_h=3.0)
        + bolus(PKRoute.INTRANASAL, dose_mg=Decimal("20"), at_h=4.0),
    ),
    (PEREZ_RUIXO_2021, nasal_session(3)),
    (
        PEREZ_RUIXO_2021,
        bolus(PKRoute.ORAL, dose_mg=Decimal("84"))
        + infusion(duration_min=40, dose_mg=Decimal("28"), at_h=5.0),
    ),
]


@pytest.mark.parametrize(("model", "regimen"), ORACLE_CASES, ids=lambda x: getattr(x, "id", ""))
def test_exact_solutions_agree_with_solve_ivp_to_one_part_in_a_million(model, regimen):
    from ketaclinic.clinical.pharmacokinetics import simulate

    covariates = Covariates(weight_kg=Decimal("70"), age_years=Decimal("65"))
    times = time_grid(12, 5)
    result = simulate(regimen, covariates, times, model=model)
    expected = oracle(model, regimen, covariates, times)
    ours = np.column_stack(
        [result.concentration_ng_per_ml]
        + ([result.metabolite_ng_per_ml] if result.metabolite_ng_per_ml is not None else [])
    )
    meaningful = expected > 1e-6 * expected.max(axis=0)
    relative = np.abs(ours - expected)[meaningful] / expected[meaningful]
    assert relative.max() < 1e-6


def jordan_chain() -> SystemArrays:
    """x1' = x2, x2' = x3, x3' = 0: a nilpotent (exactly defective) matrix, observed at x1."""
    matrix = np.array([[[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]]])
    return SystemArrays(matrix, np.array([[[1.0, 0.0, 0.0]]]), ("x1", "x2", "x3"), ("x1",))


def test_an_exactly_defective_matrix_is_still_solved_exactly():
    # Bolus of 1 into x3: x3 = 1, x2 = t, x1 = t^2/2 -> 2 at t = 2.
    result = solve(jordan_chain(), [Input(2, 0.0, 0.0, np.array([1.0]))], np.array([0.0, 2.0]), 1)
    assert result[1, 0, 0] == pytest.approx(2.0, rel=1e-12)


def test_an_infusion_on_the_dense_path_adds_its_exact_integral():
    # Rate 1 into x3 for 2 h: x3 = t, x2 = t^2/2, x1 = t^3/6 -> 8/6 at t = 2; after the
    # infusion x3 stays 2, so at t = 3: x1 = 8/6 + 2 x 1 + 2 x 1/2 = 4.333333.
    infusion_input = Input(2, 0.0, 2.0, np.array([2.0]))
    result = solve(jordan_chain(), [infusion_input], np.array([0.0, 2.0, 3.0]), 1)
    assert result[1, 0, 0] == pytest.approx(8 / 6, rel=1e-12)
    assert result[2, 0, 0] == pytest.approx(4.333333333, rel=1e-9)


@pytest.mark.parametrize(
    ("model", "regimen"),
    [
        (HERD_2007, infusion(duration_min=40, dose_mg=Decimal("35"))),
        (PEREZ_RUIXO_2021, nasal_session(2) + bolus(PKRoute.ORAL, dose_mg=Decimal("84"), at_h=3.0)),
    ],
    ids=["herd-2007", "perez-ruixo-2021"],
)
def test_random_virtual_patients_agree_with_solve_ivp_one_by_one(model, regimen):
    from ketaclinic.clinical.pharmacokinetics.population import PopulationSampler
    from ketaclinic.clinical.pharmacokinetics.simulation import simulate_batch

    patient = Covariates(weight_kg=Decimal("70"), age_years=Decimal("70"))
    covariates, etas = PopulationSampler(model, patient, seed=9, weight_cv=0.0).draw(6)
    times = time_grid(8, 10)
    batch = simulate_batch(model, regimen, covariates, etas, times)
    for i in range(6):
        expected = oracle(
            model, regimen, patient, times, {k: v[i : i + 1] for k, v in etas.items()}
        )
        ours = batch[:, :, i]
        meaningful = expected > 1e-6 * expected.max(axis=0)
        assert (np.abs(ours - expected)[meaningful] / expected[meaningful]).max() < 1e-6
