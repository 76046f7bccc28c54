"""How an instrument is written down: frozen data that scoring, forms, the API and docs all read.

An instrument module (``phq9.py``, ``madrs.py``, ...) builds one ``Instrument`` from these
pieces and nothing else, so a reviewer can check it line by line against its source. The
scoring engine (``scoring.py``) interprets the data; no instrument carries its own code.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from ketaclinic.clinical.exceptions import ConfigurationError

__all__ = [
    "Band",
    "Condition",
    "Cutoff",
    "FlagLevel",
    "Instrument",
    "Item",
    "OutcomeDefinition",
    "Rater",
    "ResponseOption",
    "SafetyRule",
    "ScoringRule",
    "Subscale",
    "SymptomRule",
    "TriageLevel",
    "numbered_items",
    "options",
]


class ScoringRule(enum.StrEnum):
    """How item answers become the total."""

    SUM = "sum"  # the sum of the scored items
    DOMAIN_MAX = "domain_max"  # the sum over domains of the highest item in each (QIDS-SR16)
    TRIAGE = "triage"  # no total; a risk level from the answers (C-SSRS screener)


class Rater(enum.StrEnum):
    """Who fills the instrument in: it decides who may enter it and how it is labelled."""

    SELF = "self"
    CLINICIAN = "clinician"


class FlagLevel(enum.StrEnum):
    """``alert`` must reach a clinician (the web layer raises an alert); ``warning`` is shown."""

    ALERT = "alert"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class ResponseOption:
    """One allowed answer: the value stored and scored, and its label (empty if not licensed)."""

    value: int
    label: str = ""


def options(*pairs: tuple[int, str]) -> tuple[ResponseOption, ...]:
    """Response options from ``(value, label)`` pairs, in the order shown to the respondent."""
    return tuple(ResponseOption(value, label) for value, label in pairs)


@dataclass(frozen=True, slots=True)
class Condition:
    """``answers[item] == value``; used for skip logic and triage rules."""

    item: str
    value: int


@dataclass(frozen=True, slots=True)
class Item:
    """One question or rating.

    ``number`` is the position in the answer list (1-based). ``label`` is a short name every
    instrument may show; ``text`` is the verbatim wording, kept only where the licence allows
    it (``None`` otherwise). ``scored=False`` items are recorded but never enter the total
    (PHQ-9 question 10). ``required=False`` items may be left out (CADSS observer items).
    ``asked_if`` encodes skip logic: the item is asked only when the condition holds, and an
    answer to an item that was not asked is refused rather than ignored.
    """

    number: int
    key: str
    label: str
    options: tuple[ResponseOption, ...]
    text: str | None = None
    scored: bool = True
    required: bool = True
    asked_if: Condition | None = None

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(option.value for option in self.options)


def numbered_items(
    labels: Iterable[str],
    item_options: tuple[ResponseOption, ...],
    texts: Iterable[str | None] | None = None,
    *,
    start: int = 1,
    required: bool = True,
) -> tuple[Item, ...]:
    """Items ``item<start>``, ``item<start+1>``, ... sharing one set of response options."""
    labels = tuple(labels)
    text_list = tuple(texts) if texts is not None else (None,) * len(labels)
    return tuple(
        Item(
            number=start + index,
            key=f"item{start + index}",
            label=label,
            options=item_options,
            text=text,
            required=required,
        )
        for index, (label, text) in enumerate(zip(labels, text_list, strict=True))
    )


@dataclass(frozen=True, slots=True)
class Band:
    """A severity band: totals from ``low`` to ``high`` inclusive."""

    code: str
    label: str
    low: int
    high: int


@dataclass(frozen=True, slots=True)
class Cutoff:
    """A published threshold: ``indicators[code]`` is true when the total is ``>= at_least``."""

    code: str
    at_least: int
    meaning: str
    source: str


@dataclass(frozen=True, slots=True)
class Subscale:
    """A named part of the instrument: the sum (or, for domains, the maximum) of its items."""

    code: str
    label: str
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SymptomRule:
    """A diagnostic-style rule: an item at ``endorsed_at`` or more counts as a symptom, and
    ``indicators[code]`` is true when every subscale has at least its required count.

    Used for the PCL-5 DSM-5 cluster method (1 B, 1 C, 2 D, 2 E items rated 2 or more).
    """

    code: str
    endorsed_at: int
    required: tuple[tuple[str, int], ...]
    meaning: str
    source: str


@dataclass(frozen=True, slots=True)
class SafetyRule:
    """Raise a flag when an item's answer lies in ``minimum..maximum`` (inclusive).

    These are the rules the web layer turns into clinician alerts (issue 3, item 6).
    """

    code: str
    item: str
    minimum: int
    maximum: int
    level: FlagLevel
    message: str
    source: str


@dataclass(frozen=True, slots=True)
class TriageLevel:
    """A risk level reached when any of ``any_of`` holds; the highest level reached wins.

    ``flag_level`` (if set) raises a flag with ``flag_code`` naming the item that decided it.
    """

    code: str
    label: str
    any_of: tuple[Condition, ...]
    flag_code: str = ""
    flag_level: FlagLevel | None = None
    message: str = ""


@dataclass(frozen=True, slots=True)
class OutcomeDefinition:
    """Published response and remission definitions, stated so a clinician can read them.

    Response is a reduction of at least ``response_percent`` percent of baseline, or of at
    least ``response_points`` points (exactly one is set). Remission is a current total of
    ``remission_at_most`` or less (integers: "< 5" is written as at most 4); ``None`` where
    no remission is published (the PEG), so none is judged.
    """

    response_text: str
    remission_text: str
    remission_at_most: int | None
    sources: tuple[str, ...]
    response_percent: Decimal | None = None
    response_points: int | None = None

    def __post_init__(self) -> None:
        if (self.response_percent is None) == (self.response_points is None):
            raise ConfigurationError(
                "an outcome definition sets exactly one of response_percent and response_points"
            )


@dataclass(frozen=True, slots=True)
class Instrument:
    """A rating scale or questionnaire as published, with the sources for every number.

    ``loinc_panel`` and ``loinc_total`` are ``None`` wherever we could not verify a code: a
    wrong code on an exported Observation is worse than none.
    """

    id: str
    title: str
    version: str
    rater: Rater
    items: tuple[Item, ...]
    scoring: ScoringRule
    licence: str
    sources: tuple[str, ...]
    recall_period: str = ""
    bands: tuple[Band, ...] = ()
    cutoffs: tuple[Cutoff, ...] = ()
    subscales: tuple[Subscale, ...] = ()
    domains: tuple[Subscale, ...] = ()
    symptom_rules: tuple[SymptomRule, ...] = ()
    safety_rules: tuple[SafetyRule, ...] = ()
    triage: tuple[TriageLevel, ...] = ()
    outcome: OutcomeDefinition | None = None
    loinc_panel: str | None = None
    loinc_total: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def max_total(self) -> int | None:
        """The highest possible total, computed from the items (``None`` for triage)."""
        if self.scoring is ScoringRule.TRIAGE:
            return None
        by_key = {item.key: item for item in self.items}
        if self.scoring is ScoringRule.DOMAIN_MAX:
            return sum(max(max(by_key[key].values) for key in d.items) for d in self.domains)
        return sum(max(item.values) for item in self.items if item.scored and item.required)
