"""Rating scales and questionnaires: definitions as data, one module each, and the registry.

Use the functions here, never an instrument module's internals::

    score("phq9", [1, 0, 2, 1, 0, 0, 1, 0, 1])   # -> ScaleResult(total=6, band="mild", ...)
    outcome("phq9", baseline_total=18, current_total=4)  # -> response and remission
    describe("gad7")                              # -> the definition as JSON types

Every instrument is scored by one engine (``scoring.py``) from its frozen definition; the
sources behind each number are in ``ketaclinic.clinical.sources`` (section ``_SCALES``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ketaclinic.clinical.exceptions import UnknownCode
from ketaclinic.clinical.scales.alerts import AlertRule, alert_rules_for
from ketaclinic.clinical.scales.anxiety_nrs import ANXIETY_NRS
from ketaclinic.clinical.scales.audit import AUDIT
from ketaclinic.clinical.scales.cadss import CADSS
from ketaclinic.clinical.scales.cssrs_screen import CSSRS_SCREEN
from ketaclinic.clinical.scales.description import describe_instrument
from ketaclinic.clinical.scales.gad7 import GAD7
from ketaclinic.clinical.scales.instrument import FlagLevel, Instrument, Rater, ScoringRule
from ketaclinic.clinical.scales.madrs import MADRS
from ketaclinic.clinical.scales.moaas import MOAAS
from ketaclinic.clinical.scales.mood_nrs import MOOD_NRS
from ketaclinic.clinical.scales.outcome import outcome_for
from ketaclinic.clinical.scales.pain_nrs import PAIN_NRS
from ketaclinic.clinical.scales.pcl5 import PCL5
from ketaclinic.clinical.scales.peg import PEG
from ketaclinic.clinical.scales.phq9 import PHQ9
from ketaclinic.clinical.scales.qids_sr16 import QIDS_SR16
from ketaclinic.clinical.scales.result import Flag, Outcome, ScaleResult
from ketaclinic.clinical.scales.scoring import score_instrument

__all__ = [
    "INSTRUMENTS",
    "AlertRule",
    "Flag",
    "FlagLevel",
    "Instrument",
    "Outcome",
    "Rater",
    "ScaleResult",
    "ScoringRule",
    "alert_rules",
    "describe",
    "get_scale",
    "list_scales",
    "outcome",
    "score",
]

INSTRUMENTS: Mapping[str, Instrument] = {
    instrument.id: instrument
    for instrument in (
        PHQ9,
        GAD7,
        PCL5,
        QIDS_SR16,
        MADRS,
        CSSRS_SCREEN,
        CADSS,
        MOAAS,
        PAIN_NRS,
        PEG,
        AUDIT,
        MOOD_NRS,
        ANXIETY_NRS,
    )
}


def list_scales() -> tuple[Instrument, ...]:
    """Every instrument, in a stable order (depression, anxiety, trauma, risk, session)."""
    return tuple(INSTRUMENTS.values())


def get_scale(scale_id: str) -> Instrument:
    """The instrument called ``scale_id``; an unknown id is an ``UnknownCode`` on ``scale``."""
    try:
        return INSTRUMENTS[scale_id]
    except (KeyError, TypeError):
        known = ", ".join(INSTRUMENTS)
        raise UnknownCode("scale", f"unknown scale {scale_id!r} (known: {known})") from None


def score(scale_id: str, answers: Mapping[str, int | None] | Sequence[int | None]) -> ScaleResult:
    """Score one administration: answers by item key (``{"item1": 2, ...}``) or in order.

    In a list, ``None`` marks an item left out (skipped by the instrument's skip logic, or
    optional); trailing optional items may be omitted.
    """
    return score_instrument(get_scale(scale_id), answers)


def outcome(scale_id: str, baseline_total: int, current_total: int) -> Outcome:
    """Change, response and remission by the instrument's published definitions."""
    return outcome_for(get_scale(scale_id), baseline_total, current_total)


def describe(scale_id: str) -> dict[str, Any]:
    """The instrument's full definition as JSON types (for the API and forms)."""
    return describe_instrument(get_scale(scale_id))


def alert_rules() -> tuple[AlertRule, ...]:
    """Every rule that can raise a flag, across all instruments (for docs and the alerts app)."""
    return tuple(
        rule for instrument in INSTRUMENTS.values() for rule in alert_rules_for(instrument)
    )
