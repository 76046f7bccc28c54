"""The equations of the catalogue's model families, as linear systems.

Each structure turns typical values, covariates and random effects into individual
parameters (one float64 per patient), those into a matrix ``A`` in 1/h, and a dose into
inputs on the states. Absorption depots are built only for the routes a regimen uses, so an
IV simulation never pays for an oral depot.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ketaclinic.clinical.pharmacokinetics.models import (
    CovariateArrays,
    EtaScale,
    Input,
    PKModel,
    PKRoute,
    SystemArrays,
)
from ketaclinic.clinical.pharmacokinetics.regimens import Dose

__all__ = [
    "AllometricTwoCompartment",
    "EsketamineFirstPass",
    "MicroConstantMammillary",
    "individual_value",
]

_MIN_PER_H = 60.0
_NG_PER_ML_PER_MG_PER_L = 1000.0


def individual_value(
    model: PKModel, name: str, etas: Mapping[str, np.ndarray], batch: int
) -> np.ndarray:
    """Typical value of ``name`` with its random effect, if the model has one and it was drawn.

    Log-normal: theta * exp(eta). Logit-normal (fractions): expit(logit(theta) + eta).
    """
    theta = model.value(name)
    eta = etas.get(name)
    if eta is None:
        return np.full(batch, theta)
    scale = next(r.scale for r in model.random_effects if r.parameter == name)
    value: np.ndarray
    if scale is EtaScale.LOGIT:
        value = 1.0 / (1.0 + np.exp(-(np.log(theta / (1.0 - theta)) + eta)))
    else:
        value = theta * np.exp(eta)
    return value


def _amount(dose: Dose, covariates: CovariateArrays) -> np.ndarray:
    if dose.amount_mg is not None:
        return np.array([float(dose.amount_mg)])
    assert dose.amount_mg_per_kg is not None
    return float(dose.amount_mg_per_kg) * covariates.weight_kg


def _depot(route: PKRoute) -> str:
    return f"depot_{route.value}"


@dataclass(frozen=True, slots=True)
class MicroConstantMammillary:
    """Central volume in L/kg and micro-constants in 1/min (STANPUMP style), two or three
    compartments, plus one first-order depot per non-IV route (``ka_<route>`` in 1/h,
    bioavailability ``f_<route>``). Peripheral volumes follow as V1*k12/k21 and V1*k13/k31.
    """

    compartments: int

    def peripheral_volumes_l_per_kg(self, model: PKModel) -> tuple[float, ...]:
        """V2 = V1 k12/k21 (and V3 = V1 k13/k31): derived, never stored, so they cannot
        drift from the micro-constants the source published."""
        v1 = model.value("v1_l_per_kg")
        pairs = [("k12", "k21")] + ([("k13", "k31")] if self.compartments == 3 else [])
        return tuple(v1 * model.value(out) / model.value(back) for out, back in pairs)

    def individual(
        self, model: PKModel, covariates: CovariateArrays, etas: Mapping[str, np.ndarray]
    ) -> dict[str, np.ndarray]:
        batch = len(covariates)
        names = ["k10", "k12", "k21"] + (["k13", "k31"] if self.compartments == 3 else [])
        individual = {name: individual_value(model, name, etas, batch) for name in names}
        individual["v1_l"] = individual_value(model, "v1_l_per_kg", etas, batch) * (
            covariates.weight_kg
        )
        for route in model.routes:
            if route is not PKRoute.IV:
                for prefix in ("ka", "f"):
                    name = f"{prefix}_{route.value}"
                    individual[name] = individual_value(model, name, etas, batch)
        return individual

    def system(
        self, individual: Mapping[str, np.ndarray], routes: frozenset[PKRoute]
    ) -> SystemArrays:
        depots = [r for r in PKRoute if r in routes and r is not PKRoute.IV]
        names = (
            tuple(_depot(r) for r in depots)
            + ("central", "peripheral1")
            + (("peripheral2",) if self.compartments == 3 else ())
        )
        batch = len(individual["v1_l"])
        n = len(names)
        a = np.zeros((batch, n, n))
        c = len(depots)
        for d, route in enumerate(depots):
            ka = individual[f"ka_{route.value}"]
            a[:, d, d] = -ka
            a[:, c, d] = ka
        peripherals = [("k12", "k21")] + ([("k13", "k31")] if self.compartments == 3 else [])
        a[:, c, c] = -individual["k10"] * _MIN_PER_H
        for p, (out_name, back_name) in enumerate(peripherals, start=c + 1):
            out, back = individual[out_name] * _MIN_PER_H, individual[back_name] * _MIN_PER_H
            a[:, c, c] -= out
            a[:, p, c] = out
            a[:, c, p] = back
            a[:, p, p] = -back
        observe = np.zeros((batch, 1, n))
        observe[:, 0, c] = _NG_PER_ML_PER_MG_PER_L / individual["v1_l"]
        return SystemArrays(a, observe, names, ("ketamine",))

    def inputs(
        self,
        dose: Dose,
        individual: Mapping[str, np.ndarray],
        covariates: CovariateArrays,
        state_names: tuple[str, ...],
    ) -> list[Input]:
        amount = _amount(dose, covariates)
        if dose.route is PKRoute.IV:
            return [Input(state_names.index("central"), dose.start_h, dose.duration_h, amount)]
        fraction = individual[f"f_{dose.route.value}"]
        return [Input(state_names.index(_depot(dose.route)), dose.start_h, 0.0, amount * fraction)]


@dataclass(frozen=True, slots=True)
class AllometricTwoCompartment:
    """Herd et al. 2007: V1, V2 (L) and CL, Q (L/h) per 70 kg; volumes scale with weight,
    clearances with weight^0.75; log-normal between-subject variability on all four."""

    def individual(
        self, model: PKModel, covariates: CovariateArrays, etas: Mapping[str, np.ndarray]
    ) -> dict[str, np.ndarray]:
        batch = len(covariates)
        size = covariates.weight_kg / 70.0
        return {
            "v1_l": individual_value(model, "v1_l", etas, batch) * size,
            "v2_l": individual_value(model, "v2_l", etas, batch) * size,
            "cl_l_per_h": individual_value(model, "cl_l_per_h", etas, batch) * size**0.75,
            "q_l_per_h": individual_value(model, "q_l_per_h", etas, batch) * size**0.75,
        }

    def system(
        self, individual: Mapping[str, np.ndarray], routes: frozenset[PKRoute]
    ) -> SystemArrays:
        v1, v2 = individual["v1_l"], individual["v2_l"]
        cl, q = individual["cl_l_per_h"], individual["q_l_per_h"]
        a = np.zeros((len(v1), 2, 2))
        a[:, 0, 0] = -(cl + q) / v1
        a[:, 0, 1] = q / v2
        a[:, 1, 0] = q / v1
        a[:, 1, 1] = -q / v2
        observe = np.zeros((len(v1), 1, 2))
        observe[:, 0, 0] = _NG_PER_ML_PER_MG_PER_L / v1
        return SystemArrays(a, observe, ("central", "peripheral1"), ("ketamine",))

    def inputs(
        self,
        dose: Dose,
        individual: Mapping[str, np.ndarray],
        covariates: CovariateArrays,
        state_names: tuple[str, ...],
    ) -> list[Input]:
        return [Input(0, dose.start_h, dose.duration_h, _amount(dose, covariates))]


@dataclass(frozen=True, slots=True)
class EsketamineFirstPass:
    """Perez-Ruixo et al. 2021 as transcribed by nlmixr2lib (``PerezRuixo_2020_esketamine``).

    Esketamine: three compartments (Vc, Vp1, Vp2) exchanging with a well-stirred
    hepato-portal compartment (Vh, Qh) that eliminates (kel) and forms noresketamine (kmet);
    noresketamine: two apparent compartments (Vcn/F, Vpn/F, CLn/F, Q3/F). A nasal device puts
    FRn of its dose in the nasal depot (ka_n, into central) and swallows the rest, of which
    Fgut reaches the liver through a zero-order (Dsw) then first-order (ka_sw) gut depot; an
    oral solution does the same with Dpo and ka_po. FRn is 38% lower (x0.62) for the second
    and third device of a session. Asian ancestry: kel x0.36, CLn/F x0.81; Japanese: FRn
    x1.34; age over 60: Qh falls by 2.19 L/h per year.
    """

    def individual(
        self, model: PKModel, covariates: CovariateArrays, etas: Mapping[str, np.ndarray]
    ) -> dict[str, np.ndarray]:
        batch = len(covariates)
        value = {
            p.name: individual_value(model, p.name, etas, batch)
            for p in model.parameters
            if p.name not in {"qh_l_per_h", "age_qh_l_per_h_per_year"}
        }
        qh_typical = model.value("qh_l_per_h") - model.value("age_qh_l_per_h_per_year") * (
            np.maximum(0.0, covariates.age_years - 60.0)
        )
        qh_eta = etas.get("qh_l_per_h", np.zeros(batch))
        value["qh_l_per_h"] = np.maximum(qh_typical, 0.0) * np.exp(qh_eta)
        value["frn"] = np.minimum(
            value["frn"] * model.value("japanese_frn_factor") ** covariates.japanese, 1.0
        )
        value["kel_per_h"] = (
            value["kel_per_h"] * model.value("asian_kel_factor") ** covariates.asian
        )
        value["cln_l_per_h"] = value["cln_l_per_h"] * (
            model.value("asian_cln_factor") ** covariates.asian
        )
        return value

    def system(
        self, individual: Mapping[str, np.ndarray], routes: frozenset[PKRoute]
    ) -> SystemArrays:
        depots: list[tuple[str, str, str]] = []  # (state, rate parameter, target state)
        if PKRoute.INTRANASAL in routes:
            depots += [
                ("nasal", "ka_n_per_h", "central"),
                ("gut_swallowed", "ka_sw_per_h", "liver"),
            ]
        if PKRoute.ORAL in routes:
            depots += [("gut_oral", "ka_po_per_h", "liver")]
        names = (
            *tuple(d[0] for d in depots),
            "central",
            "peripheral1",
            "peripheral2",
            "liver",
            "noresketamine_central",
            "noresketamine_peripheral",
        )
        i = {name: k for k, name in enumerate(names)}
        v = individual
        batch = len(v["vc_l"])
        a = np.zeros((batch, len(names), len(names)))
        for state, rate, target in depots:
            a[:, i[state], i[state]] = -v[rate]
            a[:, i[target], i[state]] = v[rate]

        def exchange(x: str, vx: np.ndarray, y: str, vy: np.ndarray, flow: np.ndarray) -> None:
            a[:, i[x], i[x]] -= flow / vx
            a[:, i[y], i[x]] += flow / vx
            a[:, i[y], i[y]] -= flow / vy
            a[:, i[x], i[y]] += flow / vy

        exchange("central", v["vc_l"], "peripheral1", v["vp1_l"], v["q1_l_per_h"])
        exchange("central", v["vc_l"], "peripheral2", v["vp2_l"], v["q2_l_per_h"])
        exchange("central", v["vc_l"], "liver", v["vh_l"], v["qh_l_per_h"])
        a[:, i["liver"], i["liver"]] -= v["kel_per_h"] + v["kmet_per_h"]
        a[:, i["noresketamine_central"], i["liver"]] += v["kmet_per_h"]
        exchange(
            "noresketamine_central",
            v["vcn_l"],
            "noresketamine_peripheral",
            v["vpn_l"],
            v["q3_l_per_h"],
        )
        a[:, i["noresketamine_central"], i["noresketamine_central"]] -= (
            v["cln_l_per_h"] / v["vcn_l"]
        )
        observe = np.zeros((batch, 2, len(names)))
        observe[:, 0, i["central"]] = _NG_PER_ML_PER_MG_PER_L / v["vc_l"]
        observe[:, 1, i["noresketamine_central"]] = _NG_PER_ML_PER_MG_PER_L / v["vcn_l"]
        return SystemArrays(a, observe, names, ("esketamine", "noresketamine"))

    def inputs(
        self,
        dose: Dose,
        individual: Mapping[str, np.ndarray],
        covariates: CovariateArrays,
        state_names: tuple[str, ...],
    ) -> list[Input]:
        amount = _amount(dose, covariates)
        fgut = individual["fgut"]
        if dose.route is PKRoute.IV:
            return [Input(state_names.index("central"), dose.start_h, dose.duration_h, amount)]
        if dose.route is PKRoute.ORAL:
            return [
                Input(
                    state_names.index("gut_oral"),
                    dose.start_h,
                    float(individual["dpo_h"][0]),
                    amount * fgut,
                )
            ]
        frn = individual["frn"]
        if dose.device_number > 1:
            frn = frn * individual["subsequent_device_frn_factor"]
        return [
            Input(state_names.index("nasal"), dose.start_h, 0.0, amount * frn),
            Input(
                state_names.index("gut_swallowed"),
                dose.start_h,
                float(individual["dsw_h"][0]),
                amount * (1.0 - frn) * fgut,
            ),
        ]
