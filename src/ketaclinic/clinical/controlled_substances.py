"""Controlled-substance arithmetic: exact quantities, balances, counts and DEA deadlines.

The ledger (``apps/ledger``) stores and audits; this module decides the numbers. Quantities
are integers in the smallest unit the ledger keeps — microlitres (µL) for solutions, whole
units for devices and troches — so sums never round. A concentration in mg/mL is the same
number in µg/µL, so a mass in micrograms is ``volume_ul * concentration_mg_per_ml`` exactly.

Regulatory rules (21 CFR, cited per function):
- every withdrawal is bounded by what the container holds (``withdraw``), so a balance never
  goes below zero — the book must equal what is on the shelf (``cfr_1304_21``, ``cfr_1304_22``);
- an opened container of a Schedule III-V substance may be counted by estimate, a sealed one
  or a Schedule I-II one exactly (``count_method``; ``cfr_1304_11``);
- inventory at least every two years, or every year where a state asks for it
  (``next_inventory_due``; ``cfr_1304_11``);
- a theft or significant loss is notified within one business day and reported on DEA Form 106
  within 45 days of discovery (``loss_report_deadlines``; ``cfr_1301_76b``, ``dea_form_106``);
- records are kept for two years (``retention_ends_on``; ``cfr_1304_04``);
- a Schedule III-V prescription is refilled at most five times within six months of issue
  (``refills_remaining``; ``cfr_1306_22``).

Nothing here reads the clock; anything that depends on "now" takes ``as_of``.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ketaclinic.clinical.exceptions import (
    ConfigurationError,
    InvalidValue,
    OutOfRange,
    UnknownCode,
)

__all__ = [
    "FORM_106_DAYS",
    "MAX_QUANTITY",
    "NOTIFY_BUSINESS_DAYS",
    "RECORD_RETENTION_YEARS",
    "REFILL_LIMIT",
    "REFILL_WINDOW_MONTHS",
    "BalanceTotals",
    "CountMethod",
    "InventoryInterval",
    "LossReportDeadlines",
    "Measure",
    "add_business_days",
    "count_method",
    "format_quantity",
    "loss_report_deadlines",
    "mass_mg",
    "mass_ug",
    "next_inventory_due",
    "parse_quantity",
    "refills_remaining",
    "retention_ends_on",
    "withdraw",
]

NOTIFY_BUSINESS_DAYS = 1
"""Written notice to the DEA Field Division Office: one business day (``cfr_1301_76b``)."""
FORM_106_DAYS = 45
"""DEA Form 106 is due within 45 days after discovery (``dea_form_106``)."""
RECORD_RETENTION_YEARS = 2
"""Records kept for at least two years from their date (``cfr_1304_04``)."""
REFILL_LIMIT = 5
"""Schedule III-IV prescriptions: at most five refills (``cfr_1306_22``)."""
REFILL_WINDOW_MONTHS = 6
"""... and none more than six months after the date of issue (``cfr_1306_22``)."""

_MICRO = 1000
MAX_QUANTITY = 1_000_000_000
"""The most one entry may record, in ledger units (1,000 L, or a billion devices): far past any
real stock, and inside the database's 32-bit integer columns, so a typing slip or a hostile
number (``1e999999``, a 5,000-digit figure) is refused naming its field, never stored."""


class Measure(enum.StrEnum):
    """What a container's balance counts: microlitres of solution, or whole units."""

    MICROLITRE = "ul"
    UNIT = "unit"


def parse_quantity(value: object, measure: Measure, field: str) -> int:
    """A typed quantity (mL for solutions, units for devices) as an integer in ledger units.

    Why integers: a ledger that adds 0.1 mL ten thousand times must still balance to the
    microlitre. A volume finer than 1 µL, or a fraction of a device, is refused rather than
    rounded, because rounding would silently create or lose drug.
    """
    if isinstance(value, float):
        raise InvalidValue(field, "give the quantity as text or Decimal, not a float")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidValue(field, f"{value!r} is not a number") from None
    if not amount.is_finite():
        raise InvalidValue(field, f"{value!r} is not a number")
    if amount <= 0:
        raise OutOfRange(field, "must be more than zero")
    if amount > Decimal(MAX_QUANTITY) / (_MICRO if measure is Measure.MICROLITRE else 1):
        raise OutOfRange(field, f"must be at most {format_quantity(MAX_QUANTITY, measure)}")
    scaled = amount * _MICRO if measure is Measure.MICROLITRE else amount
    if scaled != scaled.to_integral_value():
        unit = "0.001 mL (1 µL)" if measure is Measure.MICROLITRE else "whole unit"
        raise InvalidValue(field, f"{amount} is finer than a {unit}")
    return int(scaled)


def format_quantity(quantity: int, measure: Measure) -> str:
    """People read mL with up to three decimals, and units as a count."""
    if measure is Measure.UNIT:
        return f"{quantity} unit" + ("" if abs(quantity) == 1 else "s")
    millilitres = Decimal(quantity).scaleb(-3).normalize()
    text = f"{millilitres:f}"
    return f"{text} mL"


def mass_ug(quantity: int, measure: Measure, strength_mg: Decimal) -> Decimal:
    """Micrograms in ``quantity``: µL × mg/mL (mg/mL is µg/µL), or units × mg per unit × 1000."""
    if measure is Measure.MICROLITRE:
        return Decimal(quantity) * strength_mg
    return Decimal(quantity) * strength_mg * _MICRO


def mass_mg(quantity: int, measure: Measure, strength_mg: Decimal) -> Decimal:
    return mass_ug(quantity, measure, strength_mg).scaleb(-3)


def withdraw(on_hand: int, quantity: int, field: str) -> int:
    """The balance after taking ``quantity``; refuses to go below zero (``cfr_1304_22``)."""
    if quantity <= 0:
        raise OutOfRange(field, "must be more than zero")
    if quantity > on_hand:
        raise OutOfRange(field, f"is more than the container holds ({on_hand} on hand)")
    return on_hand - quantity


_BALANCE_KINDS = frozenset(
    {
        "receipt",
        "transfer_in",
        "administration",
        "waste",
        "destruction",
        "transfer_out",
        "loss_or_theft",
    }
)


def _check_balance_kinds(signed: Mapping[str, int]) -> None:
    """Refuse a sum keyed by a kind that does not move a balance (a count, a correction)."""
    if not signed.keys() <= _BALANCE_KINDS:
        unknown = sorted(set(signed) - _BALANCE_KINDS)
        raise UnknownCode("kind", f"{unknown[0]!r} is not a balance-changing entry kind")


@dataclass(frozen=True)
class BalanceTotals:
    """The ledger equation for one container, lot, product or site (``cfr_1304_22``).

    received + transferred in − administered − wasted − destroyed − transferred out − lost
    = on hand. Corrections are folded into the kind of entry they correct.
    """

    received: int = 0
    transferred_in: int = 0
    administered: int = 0
    wasted: int = 0
    destroyed: int = 0
    transferred_out: int = 0
    lost: int = 0

    @property
    def on_hand(self) -> int:
        return (
            self.received
            + self.transferred_in
            - self.administered
            - self.wasted
            - self.destroyed
            - self.transferred_out
            - self.lost
        )

    @classmethod
    def from_signed(cls, signed: Mapping[str, int]) -> BalanceTotals:
        """Build from signed sums keyed by ledger kind (negative for what left the shelf)."""
        _check_balance_kinds(signed)
        return cls(
            received=signed.get("receipt", 0),
            transferred_in=signed.get("transfer_in", 0),
            administered=-signed.get("administration", 0),
            wasted=-signed.get("waste", 0),
            destroyed=-signed.get("destruction", 0),
            transferred_out=-signed.get("transfer_out", 0),
            lost=-signed.get("loss_or_theft", 0),
        )

    @staticmethod
    def on_hand_from_signed(signed: Mapping[str, int]) -> int:
        """``from_signed(signed).on_hand`` without building the totals: each kind's signed sum
        enters the equation with the sign it already carries, so on hand is their sum.
        ``ledger verify`` needs only this, once per container (a container per few entries,
        where building the frozen totals cost as much as hashing the entries)."""
        _check_balance_kinds(signed)
        return sum(signed.values())

    def __add__(self, other: BalanceTotals) -> BalanceTotals:
        return BalanceTotals(
            *(getattr(self, f) + getattr(other, f) for f in self.__dataclass_fields__)
        )


class CountMethod(enum.StrEnum):
    EXACT = "exact"
    ESTIMATE_ALLOWED = "estimate_allowed"


_TABLET_LIKE_FORMS = frozenset({"tablet", "capsule"})


def count_method(*, schedule: int, opened: bool, form: str, units_in_container: int) -> CountMethod:
    """How a container must be counted in an inventory (``cfr_1304_11`` (e)(3)).

    Sealed commercial containers are counted exactly (number of containers × contents).
    An opened container of a Schedule I or II substance is counted exactly; Schedule III-V
    may be estimated, unless it holds more than 1,000 tablets or capsules.
    """
    if schedule not in (1, 2, 3, 4, 5):
        raise OutOfRange("schedule", "a controlled-substance schedule is 1 to 5")
    if not opened or schedule <= 2:
        return CountMethod.EXACT
    if form in _TABLET_LIKE_FORMS and units_in_container > 1000:
        return CountMethod.EXACT
    return CountMethod.ESTIMATE_ALLOWED


class InventoryInterval(enum.StrEnum):
    """Federal minimum is biennial; some states ask for an annual inventory (``cfr_1304_11``)."""

    BIENNIAL = "biennial"
    ANNUAL = "annual"


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a non-leap year: the day before is still "within"
        return day.replace(year=day.year + years, day=28)


def next_inventory_due(last_inventory_on: dt.date, interval: InventoryInterval) -> dt.date:
    """The last day the next inventory may be taken (``cfr_1304_11`` (c)).

    "At least every two years ... on any date which is within two years of the previous
    biennial inventory date"; a clinic under an annual state rule sets ``ANNUAL``.
    """
    return _add_years(last_inventory_on, 2 if interval is InventoryInterval.BIENNIAL else 1)


def add_business_days(
    start: dt.date,
    days: int,
    *,
    business_weekdays: Iterable[int] = (0, 1, 2, 3, 4),
    holidays: Iterable[dt.date] = (),
) -> dt.date:
    """The ``days``-th business day after ``start`` (Monday=0; holidays are skipped)."""
    weekdays = frozenset(business_weekdays)
    if not weekdays or not weekdays <= set(range(7)):
        raise ConfigurationError("business_weekdays must be weekday numbers 0 (Mon) to 6 (Sun)")
    if days < 0:
        raise OutOfRange("days", "must not be negative")
    closed = frozenset(holidays)
    day = start
    remaining = days
    while remaining:
        day += dt.timedelta(days=1)
        if day.weekday() in weekdays and day not in closed:
            remaining -= 1
    return day


@dataclass(frozen=True)
class LossReportDeadlines:
    """The two deadlines after discovering a theft or significant loss (``cfr_1301_76b``)."""

    discovered_on: dt.date
    notify_field_office_by: dt.date
    form_106_by: dt.date

    def overdue(self, as_of: dt.date, *, notified: bool, form_106_filed: bool) -> list[str]:
        """Which of the two steps is late on ``as_of`` (empty when none)."""
        late = []
        if not notified and as_of > self.notify_field_office_by:
            late.append("notify_field_office")
        if not form_106_filed and as_of > self.form_106_by:
            late.append("form_106")
        return late


def loss_report_deadlines(
    discovered_on: dt.date,
    *,
    business_weekdays: Iterable[int] = (0, 1, 2, 3, 4),
    holidays: Iterable[dt.date] = (),
) -> LossReportDeadlines:
    """Notice in writing within one business day; Form 106 within 45 days of discovery.

    Worked example (``tests/clinical/cases/controlled_substances``): discovered Friday
    2026-03-06 -> notify by Monday 2026-03-09; Form 106 by 2026-04-20 (6 March + 45 days).
    """
    return LossReportDeadlines(
        discovered_on=discovered_on,
        notify_field_office_by=add_business_days(
            discovered_on,
            NOTIFY_BUSINESS_DAYS,
            business_weekdays=business_weekdays,
            holidays=holidays,
        ),
        form_106_by=discovered_on + dt.timedelta(days=FORM_106_DAYS),
    )


def retention_ends_on(recorded_on: dt.date) -> dt.date:
    """The first day a record may be discarded: two years after its date (``cfr_1304_04``)."""
    return _add_years(recorded_on, RECORD_RETENTION_YEARS)


def _add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")  # pragma: no cover


def refills_remaining(
    *, issued_on: dt.date, refills_authorised: int, refills_dispensed: int, as_of: dt.date
) -> int:
    """Refills still allowed on ``as_of`` for a Schedule III-IV prescription (``cfr_1306_22``).

    None after six months from issue; never more than five in all, whatever was written.
    """
    if refills_authorised < 0:
        raise OutOfRange("refills_authorised", "must not be negative")
    if refills_dispensed < 0:
        raise OutOfRange("refills_dispensed", "must not be negative")
    if as_of < issued_on:
        raise OutOfRange("as_of", "is before the prescription was issued")
    if as_of > _add_months(issued_on, REFILL_WINDOW_MONTHS):
        return 0
    return max(0, min(refills_authorised, REFILL_LIMIT) - refills_dispensed)
