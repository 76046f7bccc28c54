"""Routes of ketamine administration and ASKP3's route-equivalence table (reference data).

The table is shown to prescribers as a *reference view*: it estimates which dose by another
route gives an exposure like 0.5 or 1 mg/kg IV in a 70 kg adult. It is not used to convert
doses automatically, because its own authors stress the variability behind every number
(source ``dose.askp3-route-equivalence``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ketaclinic.clinical.vocabulary import Route

__all__ = ["ROUTE_EQUIVALENCE", "ROUTE_EQUIVALENCE_NOTE", "Route", "RouteEquivalence"]


@dataclass(frozen=True, slots=True)
class RouteEquivalence:
    """One row of the table: a formulation and its estimated equivalent doses.

    ``approximate`` marks rows the table prints with "~"; bioavailability and peak effect are
    kept as the table prints them (ranges as text), since they are estimates, not inputs.
    """

    formulation: str
    route: Route | None
    bioavailability: str
    peak_effect: str
    equivalent_to_0_5_mg_per_kg_iv_mg: Decimal
    equivalent_to_1_mg_per_kg_iv_mg: Decimal
    approximate: bool
    source_key: str = "dose.askp3-route-equivalence"


ROUTE_EQUIVALENCE_NOTE = (
    "Estimated equivalents for a 70 kg adult, adapted by ASKP3 (Kelan Thomas, PharmD) from "
    "Chong 2009, Glue 2020 and Peltoniemi 2016. Bioavailability shows considerable variability "
    "between people and even between sessions; dose each route from its own evidence and "
    "titrate, never by converting from this table alone."
)

ROUTE_EQUIVALENCE: tuple[RouteEquivalence, ...] = (
    RouteEquivalence("IV infusion", Route.IV, "100%", "1 min", Decimal("35"), Decimal("70"), False),
    RouteEquivalence("IM injection", Route.IM, "93%", "5 min", Decimal("38"), Decimal("75"), False),
    RouteEquivalence(
        "Racemic intranasal spray", None, "40-50%", "15 min", Decimal("75"), Decimal("150"), True
    ),
    RouteEquivalence(
        "Esketamine intranasal spray (28 mg devices)",
        Route.ESKETAMINE,
        "40-50% (~1.8x potency)",
        "15 min",
        Decimal("56"),
        Decimal("84"),
        True,
    ),
    RouteEquivalence(
        "Sublingual lozenge (troche)",
        Route.SUBLINGUAL,
        "25-40%",
        "20-30 min",
        Decimal("100"),
        Decimal("200"),
        True,
    ),
    RouteEquivalence(
        "Sublingual rapid dissolve tablet",
        Route.SUBLINGUAL,
        "25-40%",
        "15-30 min",
        Decimal("100"),
        Decimal("200"),
        True,
    ),
    RouteEquivalence(
        "Rectal suppository", None, "25-40%", "20-45 min", Decimal("100"), Decimal("200"), True
    ),
    RouteEquivalence(
        "Oral liquid", Route.ORAL, "15-25%", "1-2 hours", Decimal("200"), Decimal("400"), True
    ),
)
