"""AUDIT: the WHO Alcohol Use Disorders Identification Test (Babor 2001).

Ten items: 1-8 scored 0-4, 9-10 scored 0, 2 or 4 (a 1 or 3 there is refused, not
rounded); total 0-40; the WHO risk zones I 0-7, II 8-15, III 16-19, IV 20-40, with 8 or
more as the cut-off for hazardous or harmful drinking; domain subscores consumption
(items 1-3, the AUDIT-C), dependence (4-6) and harm (7-10) (``audit_babor_2001``). The
WHO manual publishes the AUDIT for free use, so item text is included. Alcohol use matters
to ketamine programmes (co-use, eligibility), but the AUDIT raises no safety flag here.
LOINC total 75624-7 (``audit_loinc``); the panel code was not verified and is empty.
"""

from __future__ import annotations

from ketaclinic.clinical.scales.instrument import (
    Band,
    Cutoff,
    Instrument,
    Item,
    Rater,
    ScoringRule,
    Subscale,
    options,
)

__all__ = ["AUDIT"]

_HOW_OFTEN_DRINK = options(
    (0, "Never"),
    (1, "Monthly or less"),
    (2, "2-4 times a month"),
    (3, "2-3 times a week"),
    (4, "4 or more times a week"),
)
_HOW_MANY = options(
    (0, "1 or 2"),
    (1, "3 or 4"),
    (2, "5 or 6"),
    (3, "7, 8 or 9"),
    (4, "10 or more"),
)
_FREQUENCY = options(
    (0, "Never"),
    (1, "Less than monthly"),
    (2, "Monthly"),
    (3, "Weekly"),
    (4, "Daily or almost daily"),
)
_HARM = options(
    (0, "No"),
    (2, "Yes, but not in the last year"),
    (4, "Yes, during the last year"),
)

_QUESTIONS = (
    (
        "Frequency of drinking",
        "How often do you have a drink containing alcohol?",
        _HOW_OFTEN_DRINK,
    ),
    (
        "Typical quantity",
        "How many drinks containing alcohol do you have on a typical day when you are drinking?",
        _HOW_MANY,
    ),
    (
        "Frequency of heavy drinking",
        "How often do you have six or more drinks on one occasion?",
        _FREQUENCY,
    ),
    (
        "Impaired control over drinking",
        "How often during the last year have you found that you were not able to stop "
        "drinking once you had started?",
        _FREQUENCY,
    ),
    (
        "Increased salience of drinking",
        "How often during the last year have you failed to do what was normally expected "
        "from you because of drinking?",
        _FREQUENCY,
    ),
    (
        "Morning drinking",
        "How often during the last year have you needed a first drink in the morning to get "
        "yourself going after a heavy drinking session?",
        _FREQUENCY,
    ),
    (
        "Guilt after drinking",
        "How often during the last year have you had a feeling of guilt or remorse after drinking?",
        _FREQUENCY,
    ),
    (
        "Blackouts",
        "How often during the last year have you been unable to remember what happened the "
        "night before because you had been drinking?",
        _FREQUENCY,
    ),
    (
        "Alcohol-related injuries",
        "Have you or someone else been injured as a result of your drinking?",
        _HARM,
    ),
    (
        "Others concerned about drinking",
        "Has a relative or friend or a doctor or another health worker been concerned about "
        "your drinking or suggested you cut down?",
        _HARM,
    ),
)


def _keys(first: int, last: int) -> tuple[str, ...]:
    return tuple(f"item{n}" for n in range(first, last + 1))


AUDIT = Instrument(
    id="audit",
    title="Alcohol Use Disorders Identification Test (AUDIT)",
    version="WHO 2nd edition (Babor 2001)",
    rater=Rater.SELF,
    recall_period="Items 1-3 usual drinking; items 4-8 the last year; items 9-10 ever / last year",
    items=tuple(
        Item(n, f"item{n}", label, item_options, text=text)
        for n, (label, text, item_options) in enumerate(_QUESTIONS, start=1)
    ),
    scoring=ScoringRule.SUM,
    bands=(
        Band("zone_1", "Zone I: low risk", 0, 7),
        Band("zone_2", "Zone II: hazardous drinking", 8, 15),
        Band("zone_3", "Zone III: harmful drinking", 16, 19),
        Band("zone_4", "Zone IV: possible dependence", 20, 40),
    ),
    cutoffs=(
        Cutoff(
            "hazardous_drinking_cutoff",
            8,
            "A total of 8 or more indicates hazardous or harmful alcohol use.",
            "audit_babor_2001",
        ),
    ),
    subscales=(
        Subscale("consumption", "Hazardous alcohol use (items 1-3, AUDIT-C)", _keys(1, 3)),
        Subscale("dependence", "Dependence symptoms (items 4-6)", _keys(4, 6)),
        Subscale("harm", "Harmful alcohol use (items 7-10)", _keys(7, 10)),
    ),
    loinc_panel=None,
    loinc_total="75624-7",
    licence="World Health Organization; published for free use. Item text included.",
    sources=("audit_babor_2001", "audit_loinc"),
)
