"""The rights of medication administration, checked at the chair: strength, amount, rate, time.

Ketamine is a high-alert medication (``safety.ismp-high-alert-2024``): an error with it is
more likely to harm, so the point of care checks it against the order, as a barcode
medication-administration system does. Issue 12's walk gave 170 mg against a 34 mg order
(a 50 mg/mL vial drawn to the volume ordered at 10 mg/mL) and ended a 40-minute infusion
after 84 seconds, without a word. These rules make both impossible without a prescriber.

- **Right strength** (``prepare_dose``): the product's strength must equal the order's
  concentration. An order without a concentration (a dose in mg) gets its volume computed
  from the product's strength, rounded down like every volume (``dosing``), and the nurse
  sees it before starting. Devices must be the order's 28 mg devices; troches must make the
  ordered dose in whole troches. Anything else is an ``InvalidValue`` on ``container``
  naming both strengths: there is no override, because the fix is the right product.
- **Right amount** (``check_drawn``, ``check_given``): volumes within
  ``AdministrationTolerances.volume_ml`` of the volume to give; device and troche counts
  exact (a device or a troche is all or nothing). Beyond: a ``Deviation`` that only a
  prescriber may accept, with a reason (``Authority.PRESCRIBER``). Less given than ordered
  is a deviation too: the session then did not deliver the ordered dose, and outcomes and
  the next order depend on knowing that.
- **Right rate and time** (``check_timing``, IV infusions only; the other routes are a
  single injection, spray or troche). Decided per case:

  * a pump rate set above the order, or an infusion that ended early with an average rate
    above the order (the 84-second case), is the classic wrong-rate error: a faster
    infusion raises the peak concentration, dissociation and blood pressure. Prescriber
    only. Most often the charted time is wrong and the nurse corrects it;
  * an infusion that ended early at the ordered rate was stopped: the monitoring rules ask a
    nurse to stop (``monitoring`` STOP), so a recorded reason is enough for the time (the
    undelivered amount is still a right-amount deviation for the prescriber);
  * an infusion that ended late ran slower than ordered (a pause, the monitoring rules'
    PAUSE, or a pump alarm): lower exposure, not a hazard, so a recorded reason is enough,
    and it is stored so outcomes can tell a 40-minute session from a 70-minute one.

The core decides; the charting app stores each ``Deviation`` with who accepted it and why,
audits it and raises an alert.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from ketaclinic.clinical.dosing import DEFAULT_DOSING_PARAMETERS, DosingParameters
from ketaclinic.clinical.exceptions import ConfigurationError, InvalidValue, MissingItem
from ketaclinic.clinical.routes import Route
from ketaclinic.clinical.units import MINUTES_PER_HOUR, rate_ml_per_h, round_down_to_step

__all__ = [
    "DEFAULT_TOLERANCES",
    "AdministrationTolerances",
    "Authority",
    "Deviation",
    "DeviationCode",
    "OrderedDose",
    "PreparedDose",
    "StrengthMeasure",
    "check_drawn",
    "check_given",
    "check_timing",
    "prepare_dose",
    "required_authority",
]

SOURCE = "safety.ismp-high-alert-2024"


class StrengthMeasure(enum.StrEnum):
    """How a product's strength is stated: mg per mL (solutions) or mg per unit."""

    PER_ML = "per_ml"
    PER_UNIT = "per_unit"


class Authority(enum.StrEnum):
    """Who may accept a deviation: only a prescriber, or anyone charting with a reason."""

    PRESCRIBER = "prescriber"
    REASON = "reason"


class DeviationCode(enum.StrEnum):
    VOLUME_DRAWN = "volume_drawn"
    AMOUNT_ABOVE_ORDER = "amount_above_order"
    AMOUNT_BELOW_ORDER = "amount_below_order"
    RATE_ABOVE_ORDER = "rate_above_order"
    ENDED_EARLY = "ended_early"
    ENDED_LATE = "ended_late"


@dataclass(frozen=True, slots=True)
class AdministrationTolerances:
    """How far what is charted may be from the order before it is a deviation.

    - ``volume_ml`` 0.1 mL: one step of the order's own volume rounding
      (``DosingParameters.volume_step_ml``), so the order cannot state a volume more finely;
      it is also half a 0.2 mL mark of a 5-10 mL syringe, the reading error of drawing up.
      At 10 mg/mL it is 1 mg; more than that is another dose, not a reading.
    - ``duration_fraction`` 10% with ``duration_floor_min`` 5 minutes: infusions started and
      stopped by hand and charted to the minute differ by a few minutes as a matter of
      course; 10% of 40 minutes is 4, so the floor keeps charting noise from flagging a
      short infusion, while 84 seconds of a 40-minute order is far outside.
    - ``rate_fraction`` 10%: the average rate (given / minutes elapsed) comes from minutes
      charted by hand; within 10% of the ordered rate it is the same rate.

    Ketaclinic's own settings (``dose.ketaclinic-convention``); a clinic may build its own.
    """

    volume_ml: Decimal = Decimal("0.1")
    duration_fraction: Decimal = Decimal("0.1")
    duration_floor_min: Decimal = Decimal("5")
    rate_fraction: Decimal = Decimal("0.1")

    FIELD_SOURCES: ClassVar[dict[str, str]] = {
        "volume_ml": "dose.ketaclinic-convention",
        "duration_fraction": "dose.ketaclinic-convention",
        "duration_floor_min": "dose.ketaclinic-convention",
        "rate_fraction": "dose.ketaclinic-convention",
    }

    def __post_init__(self) -> None:
        values = {
            "volume_ml": self.volume_ml,
            "duration_fraction": self.duration_fraction,
            "duration_floor_min": self.duration_floor_min,
            "rate_fraction": self.rate_fraction,
        }
        for name, value in values.items():
            if value < 0:
                raise ConfigurationError(f"{name} must not be negative")

    def duration_min(self, ordered_min: int) -> Decimal:
        return max(self.duration_floor_min, Decimal(ordered_min) * self.duration_fraction)


DEFAULT_TOLERANCES = AdministrationTolerances()


@dataclass(frozen=True, slots=True)
class OrderedDose:
    """The order as the chair sees it (``dosing.DoseResult`` plus the ordered concentration)."""

    route: Route
    dose_mg: Decimal
    concentration_mg_per_ml: Decimal | None = None
    volume_ml: Decimal | None = None
    devices: int | None = None
    duration_min: int | None = None
    rate_ml_per_h: Decimal | None = None


@dataclass(frozen=True, slots=True)
class PreparedDose:
    """What to draw or count from one product to give one order, and what that delivers.

    ``recomputed`` is True when the order named no concentration and the volume was worked
    out from the product's strength; ``note`` says so in words for the nurse.
    """

    strength_mg: Decimal
    measure: StrengthMeasure
    volume_ml: Decimal | None
    units: int | None
    dose_mg: Decimal
    rate_ml_per_h: Decimal | None
    recomputed: bool
    note: str


@dataclass(frozen=True, slots=True)
class Deviation:
    """One way what was charted differs from the order, and who may accept it."""

    code: DeviationCode
    field: str
    authority: Authority
    message: str
    source: str = SOURCE


_MEASURES: dict[Route, tuple[StrengthMeasure, ...]] = {
    Route.IV: (StrengthMeasure.PER_ML,),
    Route.IM: (StrengthMeasure.PER_ML,),
    Route.ESKETAMINE: (StrengthMeasure.PER_UNIT,),
    Route.SUBLINGUAL: (StrengthMeasure.PER_UNIT,),
    Route.ORAL: (StrengthMeasure.PER_ML, StrengthMeasure.PER_UNIT),
}


def prepare_dose(
    order: OrderedDose,
    *,
    strength_mg: Decimal,
    measure: StrengthMeasure,
    parameters: DosingParameters = DEFAULT_DOSING_PARAMETERS,
) -> PreparedDose:
    """The volume to draw or units to count from a product of ``strength_mg``, or refuse.

    Refusals are ``InvalidValue`` on ``container`` naming both strengths (or the form).
    """
    if strength_mg <= 0:
        raise InvalidValue("strength_mg", "must be above 0")
    if measure not in _MEASURES[order.route]:
        form = "a solution (mg/mL)" if measure is StrengthMeasure.PER_ML else "counted units"
        raise InvalidValue("container", f"is {form}, which is not how this route is given")
    if measure is StrengthMeasure.PER_UNIT:
        return _units(order, strength_mg, parameters)
    return _volume(order, strength_mg, parameters)


def _units(order: OrderedDose, strength: Decimal, parameters: DosingParameters) -> PreparedDose:
    if order.route is Route.ESKETAMINE:
        device = parameters.esketamine_device_mg
        if strength != device:
            raise InvalidValue(
                "container",
                f"holds {_fmt(strength)} mg devices but the order is for {_fmt(device)} mg devices",
            )
        units = order.devices or int(order.dose_mg / device)
        note = f"{units} device(s) of {_fmt(device)} mg = {_fmt(units * device)} mg"
    else:
        count = order.dose_mg / strength
        if count != count.to_integral_value() or count < 1:
            raise InvalidValue(
                "container",
                f"the order's {_fmt(order.dose_mg)} mg is not a whole number of "
                f"{_fmt(strength)} mg units: choose another strength or ask for a new order",
            )
        units = int(count)
        note = f"{units} unit(s) of {_fmt(strength)} mg = {_fmt(order.dose_mg)} mg"
    return PreparedDose(
        strength_mg=strength,
        measure=StrengthMeasure.PER_UNIT,
        volume_ml=None,
        units=units,
        dose_mg=strength * units,
        rate_ml_per_h=None,
        recomputed=False,
        note=note,
    )


def _volume(order: OrderedDose, strength: Decimal, parameters: DosingParameters) -> PreparedDose:
    ordered = order.concentration_mg_per_ml
    if ordered is not None and strength != ordered:
        drawn_mg = (order.volume_ml or Decimal(0)) * strength
        raise InvalidValue(
            "container",
            f"is {_fmt(strength)} mg/mL but the order is for {_fmt(ordered)} mg/mL: the "
            f"ordered {_fmt(order.volume_ml or Decimal(0))} mL would be {_fmt(drawn_mg)} mg, "
            f"not {_fmt(order.dose_mg)} mg. Use a {_fmt(ordered)} mg/mL product",
        )
    if ordered is not None and order.volume_ml is not None:
        volume = order.volume_ml
        recomputed = False
        note = f"{_fmt(volume)} mL at {_fmt(strength)} mg/mL = {_fmt(volume * strength)} mg"
    else:
        volume = round_down_to_step(order.dose_mg / strength, parameters.volume_step_ml)
        if volume <= 0:
            raise InvalidValue(
                "container",
                f"at {_fmt(strength)} mg/mL the order's {_fmt(order.dose_mg)} mg is less than "
                f"{_fmt(parameters.volume_step_ml)} mL: use a more dilute product",
            )
        recomputed = True
        note = (
            f"the order names no concentration: at {_fmt(strength)} mg/mL draw "
            f"{_fmt(volume)} mL = {_fmt(volume * strength)} mg"
        )
    rate = None
    if order.route is Route.IV and order.duration_min:
        rate = order.rate_ml_per_h
        if rate is None or recomputed:
            rate = round_down_to_step(
                rate_ml_per_h(volume, order.duration_min), parameters.rate_step_ml_per_h
            )
        note += f" over {order.duration_min} min at {_fmt(rate)} mL/h"
    return PreparedDose(
        strength_mg=strength,
        measure=StrengthMeasure.PER_ML,
        volume_ml=volume,
        units=None,
        dose_mg=volume * strength,
        rate_ml_per_h=rate,
        recomputed=recomputed,
        note=note,
    )


def check_drawn(
    prepared: PreparedDose,
    volume_drawn_ml: Decimal | None,
    tolerances: AdministrationTolerances = DEFAULT_TOLERANCES,
) -> tuple[Deviation, ...]:
    """The volume drawn against the volume to give (solutions only)."""
    if prepared.measure is StrengthMeasure.PER_UNIT:
        if volume_drawn_ml is not None:
            raise InvalidValue("volume_drawn_ml", "devices and troches have no volume to draw")
        return ()
    if volume_drawn_ml is None:
        raise MissingItem("volume_drawn_ml", "enter the volume drawn up")
    assert prepared.volume_ml is not None
    if abs(volume_drawn_ml - prepared.volume_ml) <= tolerances.volume_ml:
        return ()
    return (
        Deviation(
            DeviationCode.VOLUME_DRAWN,
            "volume_drawn_ml",
            Authority.PRESCRIBER,
            f"{_fmt(volume_drawn_ml)} mL drawn ({_fmt(volume_drawn_ml * prepared.strength_mg)} "
            f"mg) is not the {_fmt(prepared.volume_ml)} mL ordered "
            f"({_fmt(prepared.dose_mg)} mg) ± {_fmt(tolerances.volume_ml)} mL",
        ),
    )


def check_given(
    prepared: PreparedDose,
    *,
    volume_given_ml: Decimal | None = None,
    units_given: int | None = None,
    tolerances: AdministrationTolerances = DEFAULT_TOLERANCES,
) -> tuple[Deviation, ...]:
    """What the patient received against the order: volume within tolerance, units exact."""
    if prepared.measure is StrengthMeasure.PER_UNIT:
        if units_given is None:
            raise MissingItem("units_given", "enter how many devices or troches were given")
        if units_given < 0:
            raise InvalidValue("units_given", "cannot be negative")
        assert prepared.units is not None
        return _compare(
            "units_given",
            Decimal(units_given),
            Decimal(prepared.units),
            Decimal(0),
            f"{units_given} unit(s) given ({_fmt(units_given * prepared.strength_mg)} mg)",
            f"{prepared.units} ordered ({_fmt(prepared.dose_mg)} mg), exactly",
        )
    if volume_given_ml is None:
        raise MissingItem("volume_given_ml", "enter the volume given")
    assert prepared.volume_ml is not None
    return _compare(
        "volume_given_ml",
        volume_given_ml,
        prepared.volume_ml,
        tolerances.volume_ml,
        f"{_fmt(volume_given_ml)} mL given ({_fmt(volume_given_ml * prepared.strength_mg)} mg)",
        f"{_fmt(prepared.volume_ml)} mL ordered ({_fmt(prepared.dose_mg)} mg) "
        f"± {_fmt(tolerances.volume_ml)} mL",
    )


def _compare(
    field: str, given: Decimal, ordered: Decimal, tolerance: Decimal, said: str, against: str
) -> tuple[Deviation, ...]:
    if given > ordered + tolerance:
        code, word = DeviationCode.AMOUNT_ABOVE_ORDER, "more"
    elif given < ordered - tolerance:
        code, word = DeviationCode.AMOUNT_BELOW_ORDER, "less"
    else:
        return ()
    return (Deviation(code, field, Authority.PRESCRIBER, f"{said} is {word} than the {against}"),)


def check_timing(
    order: OrderedDose,
    prepared: PreparedDose,
    *,
    elapsed_min: Decimal | None = None,
    volume_given_ml: Decimal | None = None,
    pump_rate_ml_per_h: Decimal | None = None,
    tolerances: AdministrationTolerances = DEFAULT_TOLERANCES,
) -> tuple[Deviation, ...]:
    """An IV infusion's pump rate and running time against the order (others: nothing).

    ``elapsed_min`` is from start to stop; leave it None when only the start is checked.
    """
    if order.route is not Route.IV or not order.duration_min or prepared.rate_ml_per_h is None:
        return ()
    ordered_rate = prepared.rate_ml_per_h
    found: list[Deviation] = []
    if pump_rate_ml_per_h is not None and pump_rate_ml_per_h > ordered_rate:
        found.append(
            Deviation(
                DeviationCode.RATE_ABOVE_ORDER,
                "rate_ml_per_h",
                Authority.PRESCRIBER,
                f"the pump rate {_fmt(pump_rate_ml_per_h)} mL/h is above the "
                f"{_fmt(ordered_rate)} mL/h ordered",
            )
        )
    if elapsed_min is None:
        return tuple(found)
    if elapsed_min < 0:
        raise InvalidValue("stopped_at", "cannot be before the start")
    duration = Decimal(order.duration_min)
    window = tolerances.duration_min(order.duration_min)
    ran = f"the {order.duration_min} min infusion ended after {_fmt(elapsed_min)} min"
    if elapsed_min < duration - window:
        given = volume_given_ml if volume_given_ml is not None else prepared.volume_ml
        assert given is not None
        limit = ordered_rate * (1 + tolerances.rate_fraction)
        average = None if elapsed_min == 0 else given * MINUTES_PER_HOUR / elapsed_min
        if given > 0 and (average is None or average > limit):
            rate_text = "at once" if average is None else f"at {_fmt(average)} mL/h on average"
            found.append(
                Deviation(
                    DeviationCode.RATE_ABOVE_ORDER,
                    "stopped_at",
                    Authority.PRESCRIBER,
                    f"{ran}: {_fmt(given)} mL given {rate_text}, above the {_fmt(ordered_rate)} "
                    "mL/h ordered (if the time is wrong, correct it)",
                )
            )
        else:
            found.append(
                Deviation(
                    DeviationCode.ENDED_EARLY,
                    "stopped_at",
                    Authority.REASON,
                    f"{ran} (stopped early, ± {_fmt(window)} min): record why",
                )
            )
    elif elapsed_min > duration + window:
        found.append(
            Deviation(
                DeviationCode.ENDED_LATE,
                "stopped_at",
                Authority.REASON,
                f"{ran} (longer than ordered, ± {_fmt(window)} min): record why",
            )
        )
    return tuple(found)


def required_authority(deviations: tuple[Deviation, ...]) -> Authority | None:
    """The most any of ``deviations`` needs: a prescriber, a reason, or nothing."""
    if any(d.authority is Authority.PRESCRIBER for d in deviations):
        return Authority.PRESCRIBER
    if deviations:
        return Authority.REASON
    return None


def _fmt(value: Decimal | int) -> str:
    return format(Decimal(value).quantize(Decimal("0.01")).normalize(), "f")
