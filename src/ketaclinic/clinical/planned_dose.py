"""The dose for one planned session: a protocol's ``DoseSpec`` applied to a patient.

The plan says "0.5 mg/kg over 40 min" or "56 or 84 mg"; the session needs milligrams, a
volume and a pump rate. This joins the two without repeating any rule: the spec gives the
amount (a rate times its duration for per-hour doses) and ``dosing.calculate_dose`` applies
the weight basis, caps and rounding exactly as for a dose entered by hand.
"""

from __future__ import annotations

from decimal import Decimal

from ketaclinic.clinical.body_weight import Sex, WeightBasis
from ketaclinic.clinical.dosing import (
    DEFAULT_DOSING_PARAMETERS,
    DoseResult,
    DosingParameters,
    calculate_dose,
)
from ketaclinic.clinical.exceptions import InvalidValue
from ketaclinic.clinical.protocol_model import DoseSpec
from ketaclinic.clinical.routes import Route

__all__ = ["calculate_planned_dose"]


def calculate_planned_dose(
    spec: DoseSpec,
    route: Route,
    *,
    weight_kg: Decimal,
    chosen_amount: Decimal | None = None,
    height_cm: Decimal | None = None,
    sex: Sex | None = None,
    weight_basis: WeightBasis | None = None,
    concentration_mg_per_ml: Decimal | None = None,
    parameters: DosingParameters = DEFAULT_DOSING_PARAMETERS,
) -> DoseResult:
    """The dose for a session planned with ``spec``.

    ``chosen_amount`` picks one of the doses the spec allows (84 of "56 or 84 mg"); any other
    amount is an ``InvalidValue`` on ``chosen_amount``, because leaving the protocol is the
    prescriber's explicit decision, made with ``calculate_dose`` instead. The spec's
    duration is used for IV infusions.
    """
    amount = spec.amount
    if chosen_amount is not None:
        allowed = (spec.amount, *spec.alternatives)
        if chosen_amount not in allowed:
            listed = " or ".join(format(a.normalize(), "f") for a in allowed)
            raise InvalidValue("chosen_amount", f"the plan allows {listed}, not {chosen_amount}")
        amount = chosen_amount
    per_session = spec.session_amount(amount)
    duration = spec.duration_min if route is Route.IV else None
    return calculate_dose(
        route,
        weight_kg=weight_kg,
        mg_per_kg=per_session if spec.per_kg else None,
        dose_mg=None if spec.per_kg else per_session,
        height_cm=height_cm,
        sex=sex,
        weight_basis=weight_basis,
        concentration_mg_per_ml=concentration_mg_per_ml,
        duration_min=duration,
        parameters=parameters,
    )
