"""``ketaclinic pk``: pharmacokinetic models, one-patient curves and virtual populations.

Runs on the pure clinical core (no Django, no database). Every curve is an educational
model of typical and variable exposure, not a dosing instruction.
"""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal, InvalidOperation
from typing import Any

from ketaclinic.cli.output import print_json, print_table
from ketaclinic.clinical.exceptions import OutOfRange
from ketaclinic.clinical.pharmacokinetics import (
    BAND_PERCENTILES,
    DEFAULT_MODEL_BY_ROUTE,
    MODELS,
    Covariates,
    PKModel,
    PKRoute,
    Regimen,
    default_model,
    get_model,
    simulate,
    simulate_population,
    single_dose_regimen,
    time_grid,
)
from ketaclinic.clinical.pharmacokinetics.simulation import AGE_RANGE_YEARS, regimen_dose_mg
from ketaclinic.clinical.sources import cite

__all__ = ["register"]

_NOTE = "Educational model of typical exposure, not a dosing instruction."


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value.is_finite():
        raise argparse.ArgumentTypeError(f"not a finite number: {text!r}")
    return value


def register(subparsers: Any) -> None:
    pk = subparsers.add_parser("pk", help="pharmacokinetic curves by route")
    commands = pk.add_subparsers(dest="pk_command", required=True, metavar="PK_COMMAND")

    models = commands.add_parser("models", help="list the models, their routes and sources")
    models.add_argument("--json", action="store_true", help="print JSON")
    models.set_defaults(handler=_models)

    simulate_parser = commands.add_parser("simulate", help="one patient's typical curve")
    _regimen_arguments(simulate_parser)
    simulate_parser.set_defaults(handler=_simulate)

    population = commands.add_parser("population", help="percentile bands of a population")
    population.add_argument("--n", type=int, required=True, help="virtual patients")
    population.add_argument("--seed", type=int, required=True, help="random seed")
    population.add_argument(
        "--weight-cv", type=float, default=0.0, help="weight spread (0 = everyone at --weight-kg)"
    )
    population.add_argument(
        "--threshold-ng-per-ml", type=float, default=None, help="report time above this"
    )
    _regimen_arguments(population)
    population.set_defaults(handler=_population)


def _regimen_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", default=None, help="model id (default: the route's default)")
    parser.add_argument("--route", required=True, choices=[r.value for r in PKRoute])
    dose = parser.add_mutually_exclusive_group(required=True)
    dose.add_argument("--dose-mg", type=_decimal, help="dose in mg")
    dose.add_argument("--dose-mg-per-kg", type=_decimal, help="dose in mg/kg")
    parser.add_argument("--duration-min", type=float, default=0.0, help="IV infusion minutes")
    parser.add_argument("--weight-kg", type=_decimal, required=True)
    parser.add_argument("--age", type=_decimal, default=Decimal("40"), help="years (default 40)")
    parser.add_argument("--hours", type=float, default=24.0, help="simulated span (default 24)")
    parser.add_argument("--step-min", type=float, default=5.0, help="grid step (default 5)")
    parser.add_argument("--json", action="store_true", help="print JSON")


def _setup(args: argparse.Namespace) -> tuple[PKModel, PKRoute, Regimen, Covariates]:
    if not AGE_RANGE_YEARS[0] <= args.age <= AGE_RANGE_YEARS[1]:
        low, high = AGE_RANGE_YEARS
        raise OutOfRange("age", f"must be {low}-{high} years, got {args.age}")
    route = PKRoute(args.route)
    model = get_model(args.model) if args.model else default_model(route)
    regimen = single_dose_regimen(
        model,
        route,
        dose_mg=args.dose_mg,
        dose_mg_per_kg=args.dose_mg_per_kg,
        duration_min=args.duration_min,
    )
    return model, route, regimen, Covariates(weight_kg=args.weight_kg, age_years=args.age)


def _number(value: float) -> float:
    """Six significant digits; roundoff below 1e-9 ng/mL prints as 0."""
    return 0.0 if abs(value) < 1e-9 else float(f"{value:.6g}")


def _significant(values: Any) -> list[float]:
    return [_number(v) for v in values]


def _models(args: argparse.Namespace) -> int:
    defaults: dict[str, list[str]] = {model_id: [] for model_id in MODELS}
    for route, model_id in DEFAULT_MODEL_BY_ROUTE.items():
        defaults[model_id].append(route.value)
    if args.json:
        print_json([_describe(model, defaults[model.id]) for model in MODELS.values()])
        return 0
    print_table(
        ["id", "drug", "routes", "default for", "source"],
        [
            [
                m.id,
                m.drug.value,
                ",".join(r.value for r in m.routes),
                ",".join(defaults[m.id]) or "-",
                m.source_key,
            ]
            for m in MODELS.values()
        ],
    )
    for model in MODELS.values():
        print(f"{model.id}: {model.validation}")
    return 0


def _describe(model: PKModel, default_for: list[str]) -> dict[str, Any]:
    return {
        "id": model.id,
        "title": model.title,
        "drug": model.drug.value,
        "routes": [r.value for r in model.routes],
        "default_for": default_for,
        "metabolite": model.metabolite,
        "sampling_site": model.sampling_site.value,
        "source": model.source_key,
        "citation": cite(model.source_key).citation,
        "parameters": [
            {
                "name": p.name,
                "value": p.value,
                "unit": p.unit,
                "source": p.source_key,
                "note": p.note,
            }
            for p in model.parameters
        ],
        "random_effects": [
            {
                "parameter": r.parameter,
                "variance": r.variance,
                "scale": r.scale.value,
                "source": r.source_key,
                "note": r.note,
            }
            for r in model.random_effects
        ],
        "covariates": [
            {"covariate": c.covariate, "parameter": c.parameter, "rule": c.rule}
            for c in model.covariate_rules
        ],
        "derived": _derived(model),
        "caveats": list(model.caveats),
        "validation": model.validation,
    }


def _derived(model: PKModel) -> dict[str, float]:
    """Peripheral volumes computed from the micro-constants (never stored), where defined."""
    volumes = getattr(model.structure, "peripheral_volumes_l_per_kg", None)
    if volumes is None:
        return {}
    return {f"v{k}_l_per_kg": round(v, 6) for k, v in enumerate(volumes(model), start=2)}


def _simulate(args: argparse.Namespace) -> int:
    model, route, regimen, covariates = _setup(args)
    result = simulate(regimen, covariates, time_grid(args.hours, args.step_min), model=model)
    dose_mg = regimen_dose_mg(regimen, covariates.weight_kg)
    if args.json:
        payload: dict[str, Any] = {
            "model": model.id,
            "route": route.value,
            "dose_mg": dose_mg,
            "times_h": _significant(result.times_h),
            "concentration_ng_per_ml": _significant(result.concentration_ng_per_ml),
        }
        if result.metabolite_ng_per_ml is not None:
            payload["metabolite_ng_per_ml"] = _significant(result.metabolite_ng_per_ml)
        payload |= {
            "cmax_ng_per_ml": _number(result.cmax_ng_per_ml),
            "tmax_h": _number(result.tmax_h),
            "auc_ng_h_per_ml": _number(result.auc_ng_h_per_ml),
        }
        print_json(payload)
        return 0
    print(f"{model.title}: {dose_mg} mg {route.value}, {covariates.weight_kg} kg. {_NOTE}")
    print(
        f"Cmax {result.cmax_ng_per_ml:.1f} ng/mL at {result.tmax_h:.2f} h; "
        f"AUC {result.auc_ng_h_per_ml:.1f} ng.h/mL"
    )
    headers = ["time_h", f"{model.drug.value.replace(' ', '_')}_ng_per_ml"]
    columns = [result.times_h, result.concentration_ng_per_ml]
    if result.metabolite_ng_per_ml is not None:
        headers.append(f"{model.metabolite}_ng_per_ml")
        columns.append(result.metabolite_ng_per_ml)
    print_table(headers, [[f"{v:.3f}" for v in row] for row in zip(*columns, strict=True)])
    return 0


class _ProgressBar:
    """A bar on stderr, drawn only when stderr is a terminal (never in pipes or logs)."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        filled = int(30 * done / total)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done:,}/{total:,}")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _population(args: argparse.Namespace) -> int:
    model, route, regimen, covariates = _setup(args)
    summary = simulate_population(
        regimen,
        covariates,
        time_grid(args.hours, args.step_min),
        n=args.n,
        seed=args.seed,
        model=model,
        weight_cv=args.weight_cv,
        threshold_ng_per_ml=args.threshold_ng_per_ml,
        progress=_ProgressBar(),
    )

    def by_percentile(values: Any) -> dict[str, float]:
        return {f"p{q}": _number(v) for q, v in zip(BAND_PERCENTILES, values, strict=True)}

    def bands(rows: Any) -> dict[str, list[float]]:
        return {f"p{q}": _significant(r) for q, r in zip(BAND_PERCENTILES, rows, strict=True)}

    payload: dict[str, Any] = {
        "model": model.id,
        "route": route.value,
        "dose_mg": regimen_dose_mg(regimen, covariates.weight_kg),
        "n": summary.n,
        "seed": summary.seed,
        "band_method": summary.band_method,
        "times_h": _significant(summary.times_h),
        "concentration_bands_ng_per_ml": bands(summary.concentration_bands_ng_per_ml),
    }
    if summary.metabolite_bands_ng_per_ml is not None:
        payload["metabolite_bands_ng_per_ml"] = bands(summary.metabolite_bands_ng_per_ml)
    payload |= {
        "cmax_ng_per_ml": by_percentile(summary.cmax_ng_per_ml),
        "tmax_h": by_percentile(summary.tmax_h),
        "auc_ng_h_per_ml": by_percentile(summary.auc_ng_h_per_ml),
    }
    if summary.time_above_h is not None:
        payload["threshold_ng_per_ml"] = summary.threshold_ng_per_ml
        payload["time_above_h"] = by_percentile(summary.time_above_h)
    if args.json:
        print_json(payload)
        return 0
    print(f"{model.title}: {summary.n:,} virtual patients, seed {summary.seed}. {_NOTE}")
    rows = [
        ["Cmax ng/mL", *_significant(summary.cmax_ng_per_ml)],
        ["Tmax h", *_significant(summary.tmax_h)],
        ["AUC ng.h/mL", *_significant(summary.auc_ng_h_per_ml)],
    ]
    if summary.time_above_h is not None:
        rows.append(
            [f"h above {summary.threshold_ng_per_ml:g}", *_significant(summary.time_above_h)]
        )
    print_table(["", *[f"p{q}" for q in BAND_PERCENTILES]], rows)
    return 0
