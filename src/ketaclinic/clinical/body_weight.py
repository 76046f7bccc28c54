"""Which body weight a mg/kg dose is computed on: actual, ideal (Devine) or adjusted.

Weight-based ketamine doses were studied on actual body weight, yet in obesity an mg/kg dose
on actual weight grows with fat mass that the drug's effect may not follow; many clinics dose
on adjusted weight above a BMI line. The evidence for ketamine is thin (sources
``dose.devine-1974``, ``dose.adjusted-body-weight``), so the basis is a clinic setting and the
dose result always says which weight was used and why.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ketaclinic.clinical.exceptions import MissingItem
from ketaclinic.clinical.units import cm_to_inches
from ketaclinic.clinical.vocabulary import Sex

__all__ = [
    "ADJUSTED_WEIGHT_FACTOR",
    "DEVINE_BASE_KG",
    "DEVINE_KG_PER_INCH",
    "Sex",
    "WeightBasis",
    "WeightChoice",
    "adjusted_body_weight_kg",
    "body_mass_index",
    "choose_dosing_weight",
    "ideal_body_weight_kg",
]


class WeightBasis(enum.StrEnum):
    ACTUAL = "actual"
    IDEAL = "ideal"
    ADJUSTED = "adjusted"


DEVINE_BASE_KG: dict[Sex, Decimal] = {Sex.MALE: Decimal("50"), Sex.FEMALE: Decimal("45.5")}
"""Devine (1974): ideal weight at 5 feet; source ``dose.devine-1974``."""

DEVINE_KG_PER_INCH = Decimal("2.3")
"""Devine (1974): kilograms added per inch of height over 5 feet; ``dose.devine-1974``."""

DEVINE_BASE_HEIGHT_IN = Decimal("60")

ADJUSTED_WEIGHT_FACTOR = Decimal("0.4")
"""Share of the excess over ideal weight counted; source ``dose.adjusted-body-weight``."""


def body_mass_index(weight_kg: Decimal, height_cm: Decimal) -> Decimal:
    """BMI in kg/m², unrounded (the caller rounds for display)."""
    height_m = height_cm / Decimal("100")
    return weight_kg / (height_m * height_m)


def ideal_body_weight_kg(height_cm: Decimal, sex: Sex) -> Decimal:
    """Devine's ideal body weight: base + 2.3 kg per inch over 60 inches (``dose.devine-1974``).

    Below 60 inches the formula subtracts; it was never validated there, and
    ``choose_dosing_weight`` warns about it.
    """
    inches_over_five_feet = cm_to_inches(height_cm) - DEVINE_BASE_HEIGHT_IN
    return DEVINE_BASE_KG[sex] + DEVINE_KG_PER_INCH * inches_over_five_feet


def adjusted_body_weight_kg(actual_kg: Decimal, ideal_kg: Decimal) -> Decimal:
    """IBW + 0.4 × (actual − IBW), the obesity dosing weight (``dose.adjusted-body-weight``)."""
    return ideal_kg + ADJUSTED_WEIGHT_FACTOR * (actual_kg - ideal_kg)


@dataclass(frozen=True, slots=True)
class WeightChoice:
    """The weight a dose uses, the basis that produced it, and any caveat to show."""

    basis: WeightBasis
    weight_kg: Decimal
    warnings: tuple[str, ...] = ()


def choose_dosing_weight(
    actual_kg: Decimal,
    *,
    basis: WeightBasis | None,
    height_cm: Decimal | None,
    sex: Sex | None,
    adjusted_above_bmi: Decimal | None,
) -> WeightChoice:
    """Pick the dosing weight.

    ``basis`` given: use it (ideal and adjusted need height and sex, or ``MissingItem``).
    ``basis`` None: the clinic rule — adjusted weight when BMI is above ``adjusted_above_bmi``,
    otherwise actual weight. When height puts the BMI above the line but sex is missing, no
    dose is computed on actual weight: ``MissingItem("sex")`` asks for it, since a warning
    beside a dose half as large again as the adjusted one is easy to miss. Without height the
    BMI is unknown: actual weight, with a warning. Ideal or adjusted weight above the actual
    weight is never used: a thin patient is dosed on what they weigh.
    """
    warnings: list[str] = []
    if basis is None:
        basis = WeightBasis.ACTUAL
        if adjusted_above_bmi is not None:
            bmi = None if height_cm is None else body_mass_index(actual_kg, height_cm)
            if bmi is not None and bmi > adjusted_above_bmi and sex is None:
                raise MissingItem(
                    "sex",
                    f"BMI {bmi.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)} is above "
                    f"the clinic's adjusted-weight line of "
                    f"{adjusted_above_bmi}: sex is needed for the adjusted body weight, and no "
                    "dose is computed on actual weight",
                )
            if bmi is None:
                warnings.append(
                    f"height not given: the clinic's adjusted-weight rule (BMI above "
                    f"{adjusted_above_bmi}) was not checked; actual weight used"
                )
            elif bmi > adjusted_above_bmi:
                basis = WeightBasis.ADJUSTED
                warnings.append(
                    f"BMI above {adjusted_above_bmi}: dosed on adjusted body weight (clinic rule)"
                )
    if basis is WeightBasis.ACTUAL:
        return WeightChoice(basis, actual_kg, tuple(warnings))
    if height_cm is None:
        raise MissingItem("height_cm", f"needed for {basis.value} body weight")
    if sex is None:
        raise MissingItem("sex", f"needed for {basis.value} body weight")
    if cm_to_inches(height_cm) < DEVINE_BASE_HEIGHT_IN:
        warnings.append("Devine ideal weight is not validated below 152.4 cm (5 feet)")
    ideal_kg = ideal_body_weight_kg(height_cm, sex)
    weight_kg = ideal_kg
    if basis is WeightBasis.ADJUSTED:
        weight_kg = adjusted_body_weight_kg(actual_kg, ideal_kg)
    if weight_kg > actual_kg:
        warnings.append(f"{basis.value} weight exceeds actual weight; actual weight used")
        return WeightChoice(WeightBasis.ACTUAL, actual_kg, tuple(warnings))
    return WeightChoice(basis, weight_kg, tuple(warnings))
