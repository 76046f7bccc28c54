"""Dose calculation: weight basis, caps per route, esketamine devices, volume, pump rate.

The result always shows its working: which weight was used and why, whether a hard cap
clipped the dose (``capped``), every rounding step (``rounding``) and every soft warning.
Rounding is always down — to the dose step, to a measurable volume, to a pump rate — so the
given dose never exceeds what was ordered or a cap; when rounding loses more than a set
share of the dose, a warning says so and suggests another concentration.

Defaults live in the frozen ``DosingParameters`` with the source of each; a clinic changes
them by building its own instance, never by editing this module.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from types import MappingProxyType
from typing import ClassVar, TypedDict

from ketaclinic.clinical.body_weight import Sex, WeightBasis, choose_dosing_weight
from ketaclinic.clinical.exceptions import (
    ConfigurationError,
    InvalidValue,
    MissingItem,
    OutOfRange,
)
from ketaclinic.clinical.routes import Route
from ketaclinic.clinical.units import rate_ml_per_h, round_down_to_step, round_to_places

__all__ = [
    "CLINIC_SETTING",
    "DEFAULT_DOSING_PARAMETERS",
    "ESKETAMINE_OLDER_ADULT_AGE",
    "CapChoice",
    "DoseResult",
    "DosingParameters",
    "EsketamineLabel",
    "HardCapAction",
    "RouteLimits",
    "calculate_dose",
    "esketamine_label_doses_mg",
    "esketamine_starting_dose_mg",
]


CLINIC_SETTING = "clinic setting"
"""How a cap without a published source is labelled: the clinic's own setting."""


class CapChoice(enum.StrEnum):
    """The prescriber's choice when a dose is above a hard cap: the capped or the requested dose.

    A cap never silently changes a protocol (issue 12): the IV chronic-pain protocol's
    0.35 mg/kg/h over 240 min is 98 mg at 70 kg, above IV's 1.0 mg/kg hard cap (70 mg). The
    order shows both and the prescriber picks one; ``None`` keeps the old behaviour (clip,
    with a warning) for previews and the command line.
    """

    CAPPED = "capped"
    REQUESTED = "requested"


class HardCapAction(enum.StrEnum):
    """What a hard cap does: clip the dose to the cap (and say so) or refuse it."""

    CLIP = "clip"
    REFUSE = "refuse"


@dataclass(frozen=True, slots=True)
class RouteLimits:
    """Caps and dose step for one route. A soft cap warns; a hard cap clips or refuses.

    A cap may be per kilogram of dosing weight, absolute, or both (the lower one binds).
    ``hard_cap_source`` and ``soft_cap_source`` name each cap's source (a key of
    ``sources``); None labels the cap as the clinic's own setting (``CLINIC_SETTING``).
    """

    dose_step_mg: Decimal
    soft_cap_mg_per_kg: Decimal | None = None
    hard_cap_mg_per_kg: Decimal | None = None
    soft_cap_mg: Decimal | None = None
    hard_cap_mg: Decimal | None = None
    source_keys: tuple[str, ...] = ()
    hard_cap_source: str | None = None
    soft_cap_source: str | None = None

    @property
    def hard_cap_label(self) -> str:
        return self.hard_cap_source or CLINIC_SETTING

    @property
    def soft_cap_label(self) -> str:
        return self.soft_cap_source or CLINIC_SETTING

    def __post_init__(self) -> None:
        if self.dose_step_mg <= 0:
            raise ConfigurationError("dose_step_mg must be above 0")
        caps = (
            self.soft_cap_mg_per_kg,
            self.hard_cap_mg_per_kg,
            self.soft_cap_mg,
            self.hard_cap_mg,
        )
        if any(cap is not None and cap <= 0 for cap in caps):
            raise ConfigurationError("caps must be above 0")
        for soft, hard in ((caps[0], caps[1]), (caps[2], caps[3])):
            if soft is not None and hard is not None and soft > hard:
                raise ConfigurationError("a soft cap above its hard cap would never warn")

    def hard_limit_mg(self, weight_kg: Decimal) -> Decimal | None:
        return _lower(self.hard_cap_mg, self.hard_cap_mg_per_kg, weight_kg)

    def soft_limit_mg(self, weight_kg: Decimal) -> Decimal | None:
        return _lower(self.soft_cap_mg, self.soft_cap_mg_per_kg, weight_kg)


def _lower(absolute: Decimal | None, per_kg: Decimal | None, weight_kg: Decimal) -> Decimal | None:
    limits = [
        v for v in (absolute, None if per_kg is None else per_kg * weight_kg) if v is not None
    ]
    return min(limits) if limits else None


_DEFAULT_LIMITS: dict[Route, RouteLimits] = {
    # IV: 0.5 mg/kg usual, "up to 0.75 mg/kg" for some (Andrade 2017): warn above it;
    # 1.0 mg/kg is the highest dose tested for depression (Fava 2018): refuse above it.
    Route.IV: RouteLimits(
        dose_step_mg=Decimal("0.5"),
        soft_cap_mg_per_kg=Decimal("0.75"),
        hard_cap_mg_per_kg=Decimal("1.0"),
        source_keys=("protocol.andrade-2017-dosing", "dose.fava-2018"),
        soft_cap_source="protocol.andrade-2017-dosing",
        hard_cap_source="dose.fava-2018",
    ),
    # IM: 0.5 mg/kg is the highest IM dose studied for depression (Chilukuri 2014); the
    # 1.0 mg/kg hard cap mirrors IV (IM bioavailability 93%, ASKP3): unverified.
    Route.IM: RouteLimits(
        dose_step_mg=Decimal("0.5"),
        soft_cap_mg_per_kg=Decimal("0.5"),
        hard_cap_mg_per_kg=Decimal("1.0"),
        source_keys=("protocol.chilukuri-2014", "dose.askp3-route-equivalence"),
        soft_cap_source="protocol.chilukuri-2014",
        hard_cap_source="dose.askp3-route-equivalence",
    ),
    # Esketamine: 28 mg devices, 84 mg the label's highest dose.
    Route.ESKETAMINE: RouteLimits(
        dose_step_mg=Decimal("28"),
        hard_cap_mg=Decimal("84"),
        source_keys=("protocol.spravato-label-dosing",),
        hard_cap_source="protocol.spravato-label-dosing",
    ),
    # Sublingual: ~200 mg estimates 1 mg/kg IV in 70 kg (ASKP3): warn above; 400 mg is the
    # top of the "general dosage range 100-400mg" in Wolfson's lozenge method.
    Route.SUBLINGUAL: RouteLimits(
        dose_step_mg=Decimal("0.5"),
        soft_cap_mg=Decimal("200"),
        hard_cap_mg=Decimal("400"),
        source_keys=("dose.askp3-route-equivalence", "dose.wolfson-lozenge"),
        soft_cap_source="dose.askp3-route-equivalence",
        hard_cap_source="dose.wolfson-lozenge",
    ),
    # Oral: fixed doses reported up to 300 mg (Andrade 2019): warn above; ~400 mg estimates
    # 1 mg/kg IV in 70 kg (ASKP3): refuse above.
    Route.ORAL: RouteLimits(
        dose_step_mg=Decimal("0.5"),
        soft_cap_mg=Decimal("300"),
        hard_cap_mg=Decimal("400"),
        source_keys=("dose.andrade-2019-oral", "dose.askp3-route-equivalence"),
        soft_cap_source="dose.andrade-2019-oral",
        hard_cap_source="dose.askp3-route-equivalence",
    ),
}


class EsketamineLabel(enum.StrEnum):
    """Which esketamine label the clinic follows (a site setting, for the jurisdiction).

    ``US``: day 1 is 56 mg at every adult age (``protocol.spravato-label-dosing``).
    ``EU``: the EU/UK SmPC starts adults of 65 and over at 28 mg, then 28, 56 or 84 mg
    (``dose.spravato-eu-smpc``); under 65 as the US label.
    """

    US = "us"
    EU = "eu"


#: Age from which the EU/UK SmPC starts esketamine at 28 mg.
ESKETAMINE_OLDER_ADULT_AGE = 65


def esketamine_starting_dose_mg(label: EsketamineLabel, age_years: int | None) -> Decimal:
    """The label's day-1 dose for TRD: 28 mg at 65+ under the EU/UK SmPC, else 56 mg.

    Under the EU label the age decides, so a missing age is refused (``MissingItem``).
    """
    if label is EsketamineLabel.US:
        return Decimal("56")
    if age_years is None:
        raise MissingItem("age_years", "the EU/UK SmPC's starting dose depends on age (65+)")
    return Decimal("28") if age_years >= ESKETAMINE_OLDER_ADULT_AGE else Decimal("56")


def esketamine_label_doses_mg(
    parameters: DosingParameters, age_years: int | None
) -> tuple[Decimal, ...]:
    """The doses the clinic's label allows this patient: 28 mg too at 65+ under the EU SmPC."""
    doses = parameters.esketamine_label_doses_mg
    older = age_years is not None and age_years >= ESKETAMINE_OLDER_ADULT_AGE
    if parameters.esketamine_label is EsketamineLabel.EU and older:
        return (parameters.esketamine_device_mg, *doses)
    return doses


@dataclass(frozen=True, slots=True)
class DosingParameters:
    """Clinic-configurable dosing settings; ``FIELD_SOURCES`` names each default's source."""

    limits: MappingProxyType[Route, RouteLimits] = field(
        default_factory=lambda: MappingProxyType(dict(_DEFAULT_LIMITS))
    )
    adjusted_weight_above_bmi: Decimal | None = Decimal("30")
    hard_cap_action: HardCapAction = HardCapAction.CLIP
    volume_step_ml: Decimal = Decimal("0.1")
    rate_step_ml_per_h: Decimal = Decimal("0.1")
    rounding_warning_fraction: Decimal = Decimal("0.05")
    default_iv_duration_min: int = 40
    esketamine_device_mg: Decimal = Decimal("28")
    esketamine_label_doses_mg: tuple[Decimal, ...] = (Decimal("56"), Decimal("84"))
    esketamine_label: EsketamineLabel = EsketamineLabel.US

    def __post_init__(self) -> None:
        missing = [route.value for route in Route if route not in self.limits]
        if missing:
            raise ConfigurationError(f"no dosing limits for route(s): {', '.join(missing)}")
        positive = {
            "volume_step_ml": self.volume_step_ml,
            "rate_step_ml_per_h": self.rate_step_ml_per_h,
            "default_iv_duration_min": Decimal(self.default_iv_duration_min),
            "esketamine_device_mg": self.esketamine_device_mg,
        }
        for name, value in positive.items():
            if value <= 0:
                raise ConfigurationError(f"{name} must be above 0")
        if not 0 <= self.rounding_warning_fraction < 1:
            raise ConfigurationError("rounding_warning_fraction must be from 0 up to (not) 1")
        if self.adjusted_weight_above_bmi is not None and self.adjusted_weight_above_bmi <= 0:
            raise ConfigurationError("adjusted_weight_above_bmi must be above 0 (or None)")

    FIELD_SOURCES: ClassVar[dict[str, str]] = {
        "limits": "see RouteLimits.source_keys per route",
        "adjusted_weight_above_bmi": "dose.adjusted-body-weight",
        "hard_cap_action": "dose.ketaclinic-convention",
        "volume_step_ml": "dose.ketaclinic-convention",
        "rate_step_ml_per_h": "dose.ketaclinic-convention",
        "rounding_warning_fraction": "dose.ketaclinic-convention",
        "default_iv_duration_min": "protocol.shiroma-2014",
        "esketamine_device_mg": "protocol.spravato-label-dosing",
        "esketamine_label_doses_mg": "protocol.spravato-label-dosing",
        "esketamine_label": "dose.spravato-eu-smpc",
    }


DEFAULT_DOSING_PARAMETERS = DosingParameters()


@dataclass(frozen=True, slots=True)
class DoseResult:
    """A dose with its working shown. ``dose_mg`` is what is given after caps and rounding.

    ``hard_cap_mg`` is set when the requested dose was above the route's hard cap, with the
    cap's source (or ``CLINIC_SETTING``) in ``hard_cap_source``; ``capped`` says whether the
    dose was clipped to it, ``cap_choice`` what the prescriber chose (None: not asked).
    """

    route: Route
    dose_mg: Decimal
    requested_dose_mg: Decimal
    weight_basis: WeightBasis
    weight_used_kg: Decimal
    volume_ml: Decimal | None
    duration_min: int | None
    rate_ml_per_h: Decimal | None
    capped: bool
    devices: int | None = None
    warnings: tuple[str, ...] = ()
    rounding: tuple[str, ...] = ()
    hard_cap_mg: Decimal | None = None
    hard_cap_source: str = ""
    cap_choice: CapChoice | None = None

    @property
    def above_hard_cap(self) -> bool:
        return self.hard_cap_mg is not None


def _check_range(field_name: str, value: Decimal, low: Decimal, high: Decimal) -> None:
    if not low < value <= high:
        raise OutOfRange(field_name, f"must be above {low} and at most {high}, got {value}")


def calculate_dose(
    route: Route,
    *,
    weight_kg: Decimal,
    mg_per_kg: Decimal | None = None,
    dose_mg: Decimal | None = None,
    height_cm: Decimal | None = None,
    sex: Sex | None = None,
    weight_basis: WeightBasis | None = None,
    concentration_mg_per_ml: Decimal | None = None,
    duration_min: int | None = None,
    parameters: DosingParameters = DEFAULT_DOSING_PARAMETERS,
    age_years: int | None = None,
    cap_choice: CapChoice | None = None,
) -> DoseResult:
    """The dose to give by ``route``, from mg/kg on the dosing weight or a fixed ``dose_mg``.

    Above a hard cap, ``cap_choice`` says which dose the prescriber chose (``CapChoice``); a
    clinic whose ``hard_cap_action`` is REFUSE refuses whatever the choice.

    ``weight_basis`` None applies the clinic rule (adjusted weight above
    ``adjusted_weight_above_bmi``). Bad or missing input raises an ``InputError`` naming the
    field: ``weight_kg``, ``mg_per_kg``, ``dose_mg``, ``height_cm``, ``sex``,
    ``concentration_mg_per_ml`` or ``duration_min``.
    """
    _check_range("weight_kg", weight_kg, Decimal("20"), Decimal("350"))
    if height_cm is not None:
        _check_range("height_cm", height_cm, Decimal("100"), Decimal("250"))
    if (mg_per_kg is None) == (dose_mg is None):
        if mg_per_kg is None:
            raise MissingItem("mg_per_kg", "give mg_per_kg or dose_mg")
        raise InvalidValue("dose_mg", "give mg_per_kg or dose_mg, not both")
    if mg_per_kg is not None:
        _check_range("mg_per_kg", mg_per_kg, Decimal("0"), Decimal("5"))
    if dose_mg is not None:
        _check_range("dose_mg", dose_mg, Decimal("0"), Decimal("1000"))
    if concentration_mg_per_ml is not None:
        _check_range(
            "concentration_mg_per_ml", concentration_mg_per_ml, Decimal("0"), Decimal("100")
        )
    if duration_min is not None:
        if route is not Route.IV:
            raise InvalidValue("duration_min", "only IV infusions have a duration")
        _check_range("duration_min", Decimal(duration_min), Decimal("0"), Decimal("1440"))
    if age_years is not None:
        _check_range("age_years", Decimal(age_years), Decimal("0"), Decimal("120"))
    if route is Route.ESKETAMINE:
        return _esketamine(
            weight_kg,
            mg_per_kg,
            dose_mg,
            concentration_mg_per_ml,
            parameters,
            age_years,
            cap_choice,
        )

    choice = choose_dosing_weight(
        weight_kg,
        basis=weight_basis,
        height_cm=height_cm,
        sex=sex,
        adjusted_above_bmi=parameters.adjusted_weight_above_bmi,
    )
    warnings = list(choice.warnings)
    rounding: list[str] = []
    limits = parameters.limits[route]
    requested = mg_per_kg * choice.weight_kg if mg_per_kg is not None else dose_mg
    assert requested is not None
    hard = limits.hard_limit_mg(choice.weight_kg)
    target, capped = _apply_hard_cap(
        requested, hard, parameters, mg_per_kg, warnings, cap_choice, limits.hard_cap_label
    )
    soft = limits.soft_limit_mg(choice.weight_kg)
    if soft is not None and target > soft:
        warnings.append(f"{_fmt(target)} mg is above the soft cap of {_fmt(soft)} mg: review")

    given = round_down_to_step(target, limits.dose_step_mg)
    if given != target:
        rounding.append(
            f"dose rounded down from {_fmt(target)} to {_fmt(given)} mg "
            f"(step {_fmt(limits.dose_step_mg)} mg)"
        )
    if given <= 0:
        raise OutOfRange(
            "mg_per_kg" if mg_per_kg is not None else "dose_mg",
            f"below the smallest dose step of {_fmt(limits.dose_step_mg)} mg",
        )

    volume_ml = None
    if concentration_mg_per_ml is not None:
        exact_ml = given / concentration_mg_per_ml
        volume_ml = round_down_to_step(exact_ml, parameters.volume_step_ml)
        if volume_ml <= 0:
            raise OutOfRange(
                "concentration_mg_per_ml",
                f"{_fmt(given)} mg is less than {_fmt(parameters.volume_step_ml)} mL at this "
                "concentration: use a more dilute solution",
            )
        if volume_ml != exact_ml:
            delivered = volume_ml * concentration_mg_per_ml
            rounding.append(
                f"volume rounded down from {_fmt(exact_ml)} to {_fmt(volume_ml)} mL: "
                f"{_fmt(delivered)} mg given"
            )
            given = delivered
    if (target - given) > target * parameters.rounding_warning_fraction:
        loss = ((target - given) / target * 100).quantize(Decimal("1"), rounding=ROUND_FLOOR)
        warnings.append(
            f"rounding lowers the dose by {loss}% ({_fmt(target)} to {_fmt(given)} mg): "
            "consider another concentration"
        )

    duration = None
    rate = None
    if route is Route.IV:
        duration = duration_min if duration_min is not None else parameters.default_iv_duration_min
        if volume_ml is not None:
            exact_rate = rate_ml_per_h(volume_ml, duration)
            rate = round_down_to_step(exact_rate, parameters.rate_step_ml_per_h)
            if rate <= 0:
                raise OutOfRange(
                    "concentration_mg_per_ml",
                    f"the pump rate would be below {_fmt(parameters.rate_step_ml_per_h)} mL/h: "
                    "use a more dilute solution",
                )
            if rate != exact_rate:
                rounding.append(
                    f"rate rounded down from {_fmt(exact_rate)} to {_fmt(rate)} mL/h: the "
                    "infusion runs slightly longer"
                )

    return DoseResult(
        route=route,
        dose_mg=given,
        requested_dose_mg=round_to_places(requested, Decimal("0.001")),
        weight_basis=choice.basis,
        weight_used_kg=round_to_places(choice.weight_kg, Decimal("0.1")),
        volume_ml=volume_ml,
        duration_min=duration,
        rate_ml_per_h=rate,
        capped=capped,
        warnings=tuple(warnings),
        rounding=tuple(rounding),
        **_cap_fields(requested, hard, limits, cap_choice),
    )


class _CapFields(TypedDict, total=False):
    hard_cap_mg: Decimal
    hard_cap_source: str
    cap_choice: CapChoice | None


def _cap_fields(
    requested: Decimal, hard: Decimal | None, limits: RouteLimits, cap_choice: CapChoice | None
) -> _CapFields:
    if hard is None or requested <= hard:
        return {}
    return {
        "hard_cap_mg": round_to_places(hard, Decimal("0.001")),
        "hard_cap_source": limits.hard_cap_label,
        "cap_choice": cap_choice,
    }


def _apply_hard_cap(
    requested: Decimal,
    hard: Decimal | None,
    parameters: DosingParameters,
    mg_per_kg: Decimal | None,
    warnings: list[str],
    cap_choice: CapChoice | None,
    cap_label: str,
) -> tuple[Decimal, bool]:
    if hard is None or requested <= hard:
        return requested, False
    if parameters.hard_cap_action is HardCapAction.REFUSE:
        raise OutOfRange(
            "mg_per_kg" if mg_per_kg is not None else "dose_mg",
            f"{_fmt(requested)} mg is above the hard cap of {_fmt(hard)} mg",
        )
    if cap_choice is CapChoice.REQUESTED:
        warnings.append(
            f"{_fmt(requested)} mg is above the hard cap of {_fmt(hard)} mg [{cap_label}]: "
            "given as requested, by the prescriber's choice"
        )
        return requested, False
    warnings.append(
        f"{_fmt(requested)} mg is above the hard cap: clipped to {_fmt(hard)} mg [{cap_label}]"
    )
    return hard, True


def _esketamine(
    weight_kg: Decimal,
    mg_per_kg: Decimal | None,
    dose_mg: Decimal | None,
    concentration_mg_per_ml: Decimal | None,
    parameters: DosingParameters,
    age_years: int | None = None,
    cap_choice: CapChoice | None = None,
) -> DoseResult:
    """Esketamine is a fixed dose in whole 28 mg devices (``protocol.spravato-label-dosing``);
    which doses are label doses depends on the clinic's label and the patient's age."""
    if mg_per_kg is not None:
        raise InvalidValue("mg_per_kg", "esketamine is dosed in fixed 28 mg devices: give dose_mg")
    if concentration_mg_per_ml is not None:
        raise InvalidValue(
            "concentration_mg_per_ml", "esketamine comes in 28 mg devices: nothing to draw up"
        )
    assert dose_mg is not None
    warnings: list[str] = []
    rounding: list[str] = []
    limits = parameters.limits[Route.ESKETAMINE]
    hard = limits.hard_limit_mg(weight_kg)
    target, capped = _apply_hard_cap(
        dose_mg, hard, parameters, None, warnings, cap_choice, limits.hard_cap_label
    )
    device = parameters.esketamine_device_mg
    devices = int((target / device).to_integral_value(rounding=ROUND_FLOOR))
    if devices == 0:
        raise OutOfRange("dose_mg", f"below one {_fmt(device)} mg device")
    given = device * devices
    if given != target:
        rounding.append(
            f"dose rounded down from {_fmt(target)} to {_fmt(given)} mg "
            f"({devices} device(s) of {_fmt(device)} mg)"
        )
    allowed = esketamine_label_doses_mg(parameters, age_years)
    if given not in allowed:
        label = " or ".join(_fmt(d) for d in allowed)
        older = ""
        if parameters.esketamine_label is EsketamineLabel.EU and age_years is None:
            older = "; 28 mg is a label dose at 65 and over (EU/UK SmPC): give the age"
        warnings.append(f"{_fmt(given)} mg is not a label dose ({label} mg){older}")
    return DoseResult(
        route=Route.ESKETAMINE,
        dose_mg=given,
        requested_dose_mg=dose_mg,
        weight_basis=WeightBasis.ACTUAL,
        weight_used_kg=round_to_places(weight_kg, Decimal("0.1")),
        volume_ml=None,
        duration_min=None,
        rate_ml_per_h=None,
        capped=capped,
        devices=devices,
        warnings=tuple(warnings),
        rounding=tuple(rounding),
        **_cap_fields(dose_mg, hard, limits, cap_choice),
    )


def _fmt(value: Decimal) -> str:
    """A quantity for a message: at most 3 decimals (half up), trailing zeros dropped."""
    return format(round_to_places(value, Decimal("0.001")).normalize(), "f")
