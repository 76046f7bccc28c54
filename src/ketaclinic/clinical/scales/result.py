"""What scoring returns: plain frozen data the web layer stores and the CLI prints."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from ketaclinic.clinical.scales.instrument import FlagLevel

__all__ = ["Flag", "Outcome", "ScaleResult"]


@dataclass(frozen=True, slots=True)
class Flag:
    """A safety finding with a stable machine ``code`` and the ``item`` that raised it.

    ``level`` ``alert`` means a clinician must acknowledge it (the web layer creates the
    alert); ``warning`` is shown with the result but creates no alert.
    """

    code: str
    item: str | None
    level: FlagLevel
    message: str


@dataclass(frozen=True, slots=True)
class ScaleResult:
    """A scored administration.

    ``total`` and ``max_total`` are ``None`` for instruments without a total (the C-SSRS
    screener, whose ``band`` is its risk level). ``answers`` holds the validated answers,
    skipped and omitted items left out. ``indicators`` are published cut-offs and rules
    (``{"major_depression_cutoff": True}``). Nothing is ever prorated.
    """

    scale: str
    version: str
    total: int | None
    max_total: int | None
    band: str | None
    band_label: str | None
    subscores: Mapping[str, int]
    indicators: Mapping[str, bool]
    flags: tuple[Flag, ...]
    answers: Mapping[str, int]

    @property
    def has_alert(self) -> bool:
        """True when any flag must reach a clinician."""
        return any(flag.level is FlagLevel.ALERT for flag in self.flags)


@dataclass(frozen=True, slots=True)
class Outcome:
    """Change from baseline judged by the instrument's published definitions.

    ``change`` is current minus baseline (negative is improvement on every scale with an
    outcome definition). ``percent_change``, ``response`` are ``None`` when the baseline is
    0, where a relative change is undefined; ``remission`` is ``None`` on an instrument
    without a published remission (the PEG).
    """

    scale: str
    baseline_total: int
    current_total: int
    change: int
    percent_change: Decimal | None
    response: bool | None
    remission: bool | None
    definitions: Mapping[str, str]
