"""Dosing regimens: boluses, zero-order infusions, nasal sessions, repeats, combinations.

A regimen is a tuple of ``Dose`` events with times in hours from the start of the
simulation. Amounts are exact ``Decimal`` milligrams (or mg/kg, resolved per patient's
weight by the model). Combining regimens is ``+``; repeating one is ``repeated``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ketaclinic.clinical.exceptions import InvalidValue, OutOfRange
from ketaclinic.clinical.pharmacokinetics.routes import PKRoute

__all__ = [
    "NASAL_DEVICE_MG",
    "NASAL_DEVICE_SPACING_MIN",
    "Dose",
    "Regimen",
    "bolus",
    "infusion",
    "nasal_session",
]

NASAL_DEVICE_MG = Decimal("28")
"""Esketamine delivered by one nasal spray device (two sprays). Source: pk-spravato-label."""

NASAL_DEVICE_SPACING_MIN = 5
"""Minutes to wait between devices in one session. Source: pk-spravato-label."""

_MAX_DEVICES_PER_SESSION = 3  # 84 mg, the label's highest session dose (pk-spravato-label)


@dataclass(frozen=True, slots=True)
class Dose:
    """One administration. ``duration_h`` > 0 makes an IV dose a zero-order infusion.

    ``device_number`` is the device's place in its nasal session (1 for the first), which
    matters to models whose nasal absorption differs for later devices (Perez-Ruixo 2021).
    """

    route: PKRoute
    start_h: float
    amount_mg: Decimal | None = None
    amount_mg_per_kg: Decimal | None = None
    duration_h: float = 0.0
    device_number: int = 1

    def __post_init__(self) -> None:
        if (self.amount_mg is None) == (self.amount_mg_per_kg is None):
            raise InvalidValue("dose_mg", "give either dose_mg or dose_mg_per_kg, not both")
        for field, amount in (
            ("dose_mg", self.amount_mg),
            ("dose_mg_per_kg", self.amount_mg_per_kg),
        ):
            if amount is not None and not amount > 0:
                raise OutOfRange(field, f"must be more than 0, got {amount}")
        if not self.start_h >= 0:
            raise OutOfRange("start_h", f"must be 0 or later, got {self.start_h}")
        if not self.duration_h >= 0:
            raise OutOfRange("duration_min", "must be 0 or more")
        if self.duration_h > 0 and self.route is not PKRoute.IV:
            raise InvalidValue("duration_min", "only an IV dose can be given over a duration")


@dataclass(frozen=True, slots=True)
class Regimen:
    """The doses of one simulation, in any order and any combination of routes."""

    doses: tuple[Dose, ...]

    def __add__(self, other: Regimen) -> Regimen:
        return Regimen(self.doses + other.doses)

    @property
    def routes(self) -> frozenset[PKRoute]:
        return frozenset(d.route for d in self.doses)

    def repeated(self, every_h: float, count: int) -> Regimen:
        """This regimen ``count`` times, ``every_h`` apart: e.g. six induction infusions
        over two weeks, or twice-weekly nasal sessions (every 84 h)."""
        if count < 1:
            raise OutOfRange("count", f"must be at least 1, got {count}")
        if not every_h > 0:
            raise OutOfRange("every_h", f"must be more than 0, got {every_h}")
        return Regimen(
            tuple(
                Dose(
                    d.route,
                    d.start_h + k * every_h,
                    d.amount_mg,
                    d.amount_mg_per_kg,
                    d.duration_h,
                    d.device_number,
                )
                for k in range(count)
                for d in self.doses
            )
        )


def bolus(
    route: PKRoute,
    *,
    dose_mg: Decimal | None = None,
    dose_mg_per_kg: Decimal | None = None,
    at_h: float = 0.0,
) -> Regimen:
    """A single instantaneous dose (an IV push, an injection, a troche, a swallowed dose)."""
    return Regimen((Dose(route, at_h, dose_mg, dose_mg_per_kg),))


def infusion(
    *,
    duration_min: float,
    dose_mg: Decimal | None = None,
    dose_mg_per_kg: Decimal | None = None,
    at_h: float = 0.0,
) -> Regimen:
    """An IV zero-order infusion, e.g. 0.5 mg/kg over 40 minutes (Zarate 2006)."""
    if not duration_min > 0:
        raise OutOfRange("duration_min", f"must be more than 0, got {duration_min}")
    return Regimen((Dose(PKRoute.IV, at_h, dose_mg, dose_mg_per_kg, duration_min / 60.0),))


def nasal_session(devices: int, *, at_h: float = 0.0) -> Regimen:
    """An esketamine nasal session: 1-3 devices of 28 mg, each 5 minutes after the last
    (pk-spravato-label)."""
    if not 1 <= devices <= _MAX_DEVICES_PER_SESSION:
        raise OutOfRange("devices", f"must be 1 to {_MAX_DEVICES_PER_SESSION}, got {devices}")
    return Regimen(
        tuple(
            Dose(
                PKRoute.INTRANASAL,
                at_h + k * NASAL_DEVICE_SPACING_MIN / 60.0,
                NASAL_DEVICE_MG,
                device_number=k + 1,
            )
            for k in range(devices)
        )
    )
