"""The shapes a protocol template is made of: doses, cadences, phases, variants, protocols.

Kept apart from the templates themselves (``clinical.protocols``) so each file has one job:
this one says what a template *is*, that one says which templates the clinic offers and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from ketaclinic.clinical.exceptions import ConfigurationError, UnknownCode
from ketaclinic.clinical.routes import Route
from ketaclinic.clinical.vocabulary import Setting

__all__ = ["Cadence", "DoseSpec", "Phase", "Protocol", "Setting", "Variant"]


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


@dataclass(frozen=True, slots=True)
class DoseSpec:
    """A planned dose as data: ``0.5 mg/kg over 40 min``, ``56 or 84 mg``, ``0.35 mg/kg/h``.

    ``amount`` is the default; ``alternatives`` are the other doses the source allows.
    ``per_kg`` makes it weight-based; ``per_hour`` makes it a rate (with ``duration_min``).
    """

    amount: Decimal
    unit: str = "mg"
    per_kg: bool = False
    per_hour: bool = False
    duration_min: int | None = None
    alternatives: tuple[Decimal, ...] = ()

    def __post_init__(self) -> None:
        if any(a <= 0 for a in (self.amount, *self.alternatives)):
            raise ConfigurationError(f"dose amounts must be above 0: {self.render()}")
        if self.unit != "mg":
            raise ConfigurationError(f"doses are in mg, not {self.unit!r}")
        if self.per_hour and self.duration_min is None:
            raise ConfigurationError("a dose per hour needs a duration")
        if self.duration_min is not None and self.duration_min <= 0:
            raise ConfigurationError("a dose's duration must be above 0 minutes")

    def session_amount(self, amount: Decimal | None = None) -> Decimal:
        """The amount for one session (the default, or ``amount``): a rate times its duration.

        0.35 mg/kg/h over 240 min is 0.35 x 240 / 60 = 1.4 mg/kg for the session, which is
        what ``dosing.calculate_dose`` takes as ``mg_per_kg``.
        """
        amount = self.amount if amount is None else amount
        if self.per_hour:
            assert self.duration_min is not None
            return amount * Decimal(self.duration_min) / Decimal(60)
        return amount

    def render(self) -> str:
        amounts = " or ".join(_number(a) for a in (self.amount, *self.alternatives))
        unit = self.unit + ("/kg" if self.per_kg else "") + ("/h" if self.per_hour else "")
        text = f"{amounts} {unit}"
        if self.duration_min is not None:
            text += f" over {self.duration_min} min"
        return text


@dataclass(frozen=True, slots=True)
class Cadence:
    """A spacing: whole or fractional days (``Fraction(7, 3)`` is thrice weekly) or months."""

    days: Fraction = Fraction(0)
    months: int = 0

    def __post_init__(self) -> None:
        if self.days < 0 or self.months < 0 or (self.days == 0 and self.months == 0):
            raise ConfigurationError("a cadence must move forward in days or months")

    def render(self) -> str:
        if self.months:
            return "monthly" if self.months == 1 else f"every {self.months} months"
        if self.days == 1:
            return "daily"
        if self.days % 7 == 0:
            weeks = self.days // 7
            return "weekly" if weeks == 1 else f"every {weeks} weeks"
        return f"{Fraction(7) / self.days} times weekly"


@dataclass(frozen=True, slots=True)
class Phase:
    """A run of sessions with one spacing rule.

    ``lead`` is the target gap from the previous session to this phase's first one (the
    phase's own ``interval`` if None). ``window_days`` bounds the phase: its last session is
    at most ``window_days - 1`` days after its first (six infusions "within 21 days").
    ``dose`` None means a session without ketamine (preparation, integration).
    """

    name: str
    sessions: int
    interval: Cadence
    min_gap_days: int
    max_gap_days: int
    dose: DoseSpec | None
    lead: Cadence | None = None
    window_days: int | None = None
    first_dose: DoseSpec | None = None

    def __post_init__(self) -> None:
        if self.sessions < 1:
            raise ConfigurationError(f"phase {self.name!r} needs at least one session")
        if not 1 <= self.min_gap_days <= self.max_gap_days:
            raise ConfigurationError(
                f"phase {self.name!r}: gaps need 1 <= min_gap_days <= max_gap_days"
            )
        if self.window_days is not None and self.window_days < 1:
            raise ConfigurationError(f"phase {self.name!r}: window_days must be at least 1")

    def dose_for(self, index_in_phase: int) -> DoseSpec | None:
        if index_in_phase == 0 and self.first_dose is not None:
            return self.first_dose
        return self.dose


@dataclass(frozen=True, slots=True)
class Variant:
    """One way of running a protocol the sources allow (twice or thrice weekly, ...)."""

    name: str
    phases: tuple[Phase, ...]
    description: str


@dataclass(frozen=True, slots=True)
class Protocol:
    """A template: its route, setting, variants (the first is the default) and sources."""

    id: str
    title: str
    route: Route
    setting: Setting
    variants: tuple[Variant, ...]
    source_keys: tuple[str, ...]
    unverified: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.variants or any(not v.phases for v in self.variants):
            raise ConfigurationError(f"protocol {self.id!r} needs variants with phases")

    @property
    def phases(self) -> tuple[Phase, ...]:
        return self.variants[0].phases

    def variant(self, name: str | None) -> Variant:
        """The named variant (the default when None); an unknown name is an input error."""
        if name is None:
            return self.variants[0]
        for variant in self.variants:
            if variant.name == name:
                return variant
        known = ", ".join(v.name for v in self.variants)
        raise UnknownCode("variant", f"{name!r} is not a variant of {self.id} (known: {known})")
