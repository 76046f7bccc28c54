"""What a prescriber enters to screen one patient, parsed strictly from a plain dict.

One strict shape at the edge (STYLE.md habit 5): ``ScreeningInput.from_dict`` is the only
way a form, the API or the CLI turns answers into input, and each bad value raises an
``InputError`` naming the field as typed (``conditions[2]``, ``bp_systolic``). Ranges are
physiological plausibility limits that catch typing errors (a systolic of 1200), not
clinical thresholds: those live in ``ScreeningParameters``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ketaclinic.clinical.eligibility.fields import FieldReader
from ketaclinic.clinical.eligibility.vocabulary import (
    Condition,
    MedicationClass,
    Route,
    Setting,
    Sex,
    is_recognised_medication,
    medication_classes,
)
from ketaclinic.clinical.exceptions import InvalidValue, MissingItem, UnknownCode

__all__ = ["ScreeningInput"]

_FIELDS = frozenset(
    {
        "age",
        "sex",
        "pregnant",
        "breastfeeding",
        "weight_kg",
        "height_cm",
        "bp_systolic",
        "bp_diastolic",
        "heart_rate",
        "route",
        "setting",
        "responsible_adult_at_home",
        "conditions",
        "medications",
    }
)


@dataclass(frozen=True, slots=True)
class ScreeningInput:
    """One patient's screening answers and resting vitals.

    ``responsible_adult_at_home`` is required for the home setting and ignored (kept as
    given) for the clinic. ``medications`` keeps the names as entered so findings can quote
    them.
    """

    age: int
    sex: Sex
    pregnant: bool
    breastfeeding: bool
    weight_kg: Decimal
    height_cm: Decimal
    bp_systolic: int
    bp_diastolic: int
    heart_rate: int
    route: Route
    setting: Setting
    responsible_adult_at_home: bool | None = None
    conditions: frozenset[Condition] = frozenset()
    medications: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: Any) -> ScreeningInput:
        """Parse and validate; raises ``InputError`` subclasses naming the field."""
        reader = FieldReader(data, allowed=_FIELDS)
        age = reader.integer("age", low=0, high=130)
        sex = reader.choice("sex", Sex)
        pregnant = reader.boolean("pregnant")
        breastfeeding = reader.boolean("breastfeeding")
        weight_kg = reader.decimal("weight_kg", low=Decimal("20"), high=Decimal("400"))
        height_cm = reader.decimal("height_cm", low=Decimal("100"), high=Decimal("250"))
        bp_systolic = reader.integer("bp_systolic", low=50, high=300)
        bp_diastolic = reader.integer("bp_diastolic", low=20, high=200)
        heart_rate = reader.integer("heart_rate", low=20, high=250)
        route = reader.choice("route", Route)
        setting = reader.choice("setting", Setting)
        responsible_adult = reader.optional_boolean("responsible_adult_at_home")
        if setting is Setting.HOME and responsible_adult is None:
            raise MissingItem("responsible_adult_at_home", "is required when setting is home")
        if bp_diastolic >= bp_systolic:
            raise InvalidValue("bp_diastolic", "must be lower than bp_systolic")

        conditions: set[Condition] = set()
        for item_name, code in reader.string_list("conditions"):
            try:
                conditions.add(Condition(code))
            except ValueError:
                raise UnknownCode(
                    item_name, f"{code!r} is not a documented condition code"
                ) from None
        medications = tuple(name.strip() for _, name in reader.string_list("medications"))

        return cls(
            age=age,
            sex=sex,
            pregnant=pregnant,
            breastfeeding=breastfeeding,
            weight_kg=weight_kg,
            height_cm=height_cm,
            bp_systolic=bp_systolic,
            bp_diastolic=bp_diastolic,
            heart_rate=heart_rate,
            route=route,
            setting=setting,
            responsible_adult_at_home=responsible_adult,
            conditions=frozenset(conditions),
            medications=medications,
        )

    @property
    def bmi(self) -> Decimal:
        """Body-mass index in kg/m², to one decimal (half up), from exact Decimals."""
        height_m = self.height_cm / Decimal(100)
        return (self.weight_kg / (height_m * height_m)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )

    def has(self, condition: Condition) -> bool:
        return condition in self.conditions

    def medications_in(self, kind: MedicationClass) -> tuple[str, ...]:
        """The entered names that belong to ``kind``, in input order."""
        return tuple(name for name in self.medications if kind in medication_classes(name))

    def unrecognised_medications(self) -> tuple[str, ...]:
        return tuple(name for name in self.medications if not is_recognised_medication(name))
