"""CADSS: the Clinician-Administered Dissociative States Scale (Bremner 1998).

Dissociation during and after a ketamine session. The current form
(``cadss_bremner_instructions``) has 28 items: 23 subjective items asked "at this time,
in this room", rated 0-4 (not at all, slightly, moderately, considerably, extremely),
whose sum (0-92) is the total used throughout the ketamine and esketamine literature, and
5 observer items, also 0-4, which are optional here and, if rated, are rated together and
reported as the ``observer`` subscore, never added to the total. (The 1998 paper itself
describes an earlier 19 + 8 item form.)

The item wording is copyrighted, so we store item numbers and scores only: raters use the
official form. The instrument defines no bands, cut-offs or outcome definitions, and
dissociation is an expected effect of ketamine, so no score raises a flag.
"""

from __future__ import annotations

from ketaclinic.clinical.scales.instrument import (
    Instrument,
    Item,
    Rater,
    ScoringRule,
    Subscale,
    options,
)

__all__ = ["CADSS"]

_OPTIONS = options(
    (0, "Not at all"),
    (1, "Slightly"),
    (2, "Moderately"),
    (3, "Considerably"),
    (4, "Extremely"),
)

SUBJECTIVE_ITEMS = 23
OBSERVER_ITEMS = 5

_subjective = tuple(
    Item(n, f"item{n}", f"Subjective item {n}", _OPTIONS) for n in range(1, SUBJECTIVE_ITEMS + 1)
)
_observer = tuple(
    Item(
        n,
        f"item{n}",
        f"Observer item {n - SUBJECTIVE_ITEMS} (optional)",
        _OPTIONS,
        scored=False,
        required=False,
    )
    for n in range(SUBJECTIVE_ITEMS + 1, SUBJECTIVE_ITEMS + OBSERVER_ITEMS + 1)
)

CADSS = Instrument(
    id="cadss",
    title="Clinician-Administered Dissociative States Scale (CADSS)",
    version="23 subjective + 5 observer items (Bremner)",
    rater=Rater.CLINICIAN,
    recall_period="At this time, in this room",
    items=(*_subjective, *_observer),
    scoring=ScoringRule.SUM,
    subscales=(
        Subscale("subjective", "Subjective items 1-23", tuple(item.key for item in _subjective)),
        Subscale("observer", "Observer items 24-28", tuple(item.key for item in _observer)),
    ),
    loinc_panel=None,
    loinc_total=None,
    licence=(
        "Item text copyrighted (Bremner et al.): item numbers and scores only are stored; "
        "use the official form to administer."
    ),
    sources=("cadss_bremner_1998", "cadss_bremner_instructions"),
    notes=(
        "No published bands, cut-offs, response or remission definitions.",
        "LOINC codes not verified; left empty.",
    ),
)
