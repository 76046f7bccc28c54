"""Figures for docs/pharmacokinetics.md: each model against its published targets.

.venv/bin/python benchmarks/pk/figures.py      # writes docs/images/pk-*.png
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from ketaclinic.clinical.pharmacokinetics import (
    CLEMENTS_1981,
    DOMINO_1984,
    HERD_2007,
    PEREZ_RUIXO_2021,
    Covariates,
    PKRoute,
    bolus,
    infusion,
    nasal_session,
    simulate,
    simulate_population,
    time_grid,
)

ROOT = Path(__file__).resolve().parents[2]
IMAGES = ROOT / "docs" / "images"
CASES = ROOT / "tests" / "clinical" / "cases" / "pharmacokinetics"
ADULT = Covariates(weight_kg=Decimal("70"), age_years=Decimal("45"))


def _save(figure: plt.Figure, name: str) -> None:
    figure.tight_layout()
    figure.savefig(IMAGES / name, dpi=110)
    plt.close(figure)
    print(f"wrote docs/images/{name}")


def esketamine_nasal() -> None:
    table = json.loads((CASES / "perez_ruixo_2021_table4.json").read_text())
    figure, (parent, metabolite) = plt.subplots(1, 2, figsize=(11, 4.2))
    times = time_grid(24, 1)
    for case, colour in zip(table["cases"], ("tab:blue", "tab:orange", "tab:green"), strict=True):
        result = simulate(nasal_session(case["devices"]), ADULT, times)
        label = (
            f"{case['dose_mg']} mg: Cmax {result.cmax_ng_per_ml:.1f} (published "
            f"{case['cmax_ng_per_ml']}), AUC {result.auc_ng_h_per_ml:.0f} "
            f"({case['auc_0_24_ng_h_per_ml']})"
        )
        parent.plot(times, result.concentration_ng_per_ml, color=colour, label=label)
        parent.plot(result.tmax_h, case["cmax_ng_per_ml"], "x", color="black")
        metabolite.plot(
            times, result.metabolite_ng_per_ml, color=colour, label=f"{case['dose_mg']} mg"
        )
        metabolite.axhline(case["noresketamine_cmax_ng_per_ml"], color=colour, ls=":", lw=0.8)
    parent.set(
        xlim=(0, 6),
        xlabel="hours",
        ylabel="esketamine ng/mL",
        title="Perez-Ruixo 2021, nasal, typical Caucasian 18-60 y (x = Table 4 Cmax)",
    )
    parent.legend(fontsize=7)
    metabolite.set(
        xlim=(0, 24),
        xlabel="hours",
        ylabel="noresketamine ng/mL",
        title="noresketamine (dotted: Table 4 Cmax)",
    )
    metabolite.legend(fontsize=8)
    _save(figure, "pk-esketamine-nasal.png")


def racemic_iv() -> None:
    zarate = json.loads((CASES / "zarate_2006_infusion.json").read_text())
    regimen = infusion(duration_min=40, dose_mg_per_kg=Decimal("0.5"))
    times = time_grid(4, 1)
    figure, axis = plt.subplots(figsize=(7.5, 4.2))
    for model in (CLEMENTS_1981, DOMINO_1984, HERD_2007):
        result = simulate(regimen, Covariates(Decimal("70")), times, model=model)
        axis.plot(
            times,
            result.concentration_ng_per_ml,
            label=f"{model.id} ({result.concentration_ng_per_ml[40]:.0f} at 40 min)",
        )
    observed = zarate["observed_end_of_infusion_ng_per_ml"]
    axis.errorbar(
        [40 / 60],
        [observed],
        yerr=[[0.4 * observed], [0.4 * observed]],
        fmt="ko",
        capsize=4,
        label="Zarate 2006: ~185 ng/mL (+/-40% band)",
    )
    axis.set(
        xlabel="hours",
        ylabel="racemic ketamine ng/mL",
        title="0.5 mg/kg IV over 40 min, 70 kg, typical patient",
    )
    axis.legend(fontsize=8)
    _save(figure, "pk-racemic-iv.png")


def racemic_routes() -> None:
    cases = json.loads((CASES / "racemic_routes.json").read_text())["cases"]
    times = time_grid(8, 1)
    figure, axis = plt.subplots(figsize=(7.5, 4.2))
    for case in cases:
        route = PKRoute(case["route"])
        result = simulate(
            bolus(route, dose_mg=Decimal("100")),
            Covariates(Decimal("70")),
            times,
            model=CLEMENTS_1981,
        )
        line = axis.plot(
            times,
            result.concentration_ng_per_ml,
            label=(
                f"{route.value}: F {case['bioavailability']:.0%}, Tmax {result.tmax_h:.2f} h "
                f"(source {case['target_tmax_h']:.2f} h)"
            ),
        )
        axis.axvline(case["target_tmax_h"], color=line[0].get_color(), ls=":", lw=0.8)
    axis.set(
        xlabel="hours",
        ylabel="racemic ketamine ng/mL",
        title="100 mg racemic ketamine by route (Clements 1981 disposition), 70 kg",
    )
    axis.legend(fontsize=8)
    _save(figure, "pk-racemic-routes.png")


def population_bands() -> None:
    figure, (iv, nasal) = plt.subplots(1, 2, figsize=(11, 4.2))
    for axis, model, regimen, title in (
        (
            iv,
            HERD_2007,
            infusion(duration_min=40, dose_mg_per_kg=Decimal("0.5")),
            "herd-2007: 0.5 mg/kg over 40 min, 10,000 patients",
        ),
        (
            nasal,
            PEREZ_RUIXO_2021,
            nasal_session(2),
            "perez-ruixo-2021: 56 mg nasal, 10,000 patients",
        ),
    ):
        times = time_grid(6, 5)
        summary = simulate_population(
            regimen, ADULT, times, n=10_000, seed=1, model=model, weight_cv=0.2
        )
        bands = summary.concentration_bands_ng_per_ml
        axis.fill_between(times, bands[0], bands[4], alpha=0.2, label="5-95th percentile")
        axis.fill_between(times, bands[1], bands[3], alpha=0.35, label="25-75th percentile")
        axis.plot(times, bands[2], label="median")
        axis.plot(
            times,
            simulate(regimen, ADULT, times, model=model).concentration_ng_per_ml,
            "k--",
            lw=0.8,
            label="typical patient",
        )
        axis.set(xlabel="hours", ylabel="ng/mL", title=title)
        axis.legend(fontsize=8)
    _save(figure, "pk-population-bands.png")


def repeated_regimens() -> None:
    figure, (nasal, drips) = plt.subplots(1, 2, figsize=(11, 4.2))
    weeks = time_grid(24 * 28, 5)
    twice_weekly = nasal_session(3).repeated(every_h=84.0, count=8)
    result = simulate(twice_weekly, ADULT, weeks)
    nasal.plot(weeks / 24, result.concentration_ng_per_ml, label="esketamine")
    nasal.plot(weeks / 24, result.metabolite_ng_per_ml, label="noresketamine", alpha=0.7)
    nasal.set(xlabel="days", ylabel="ng/mL", title="84 mg nasal twice weekly, 4 weeks")
    nasal.legend(fontsize=8)
    fortnight = time_grid(24 * 14, 5)
    # Mon, Wed, Fri for two weeks: 0, 48, 96, 168, 216, 264 h
    series = infusion(duration_min=40, dose_mg_per_kg=Decimal("0.5"))
    for start in (48.0, 96.0, 168.0, 216.0, 264.0):
        series = series + infusion(duration_min=40, dose_mg_per_kg=Decimal("0.5"), at_h=start)
    result = simulate(series, Covariates(Decimal("70")), fortnight, model=CLEMENTS_1981)
    drips.plot(fortnight / 24, result.concentration_ng_per_ml)
    drips.set(
        xlabel="days",
        ylabel="racemic ketamine ng/mL",
        title="six 0.5 mg/kg infusions over two weeks (Mon/Wed/Fri)",
    )
    _save(figure, "pk-repeated-regimens.png")


def main() -> int:
    IMAGES.mkdir(parents=True, exist_ok=True)
    esketamine_nasal()
    racemic_iv()
    racemic_routes()
    population_bands()
    repeated_regimens()
    return 0


if __name__ == "__main__":
    sys.exit(main())
