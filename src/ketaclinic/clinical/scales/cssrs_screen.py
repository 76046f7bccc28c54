"""C-SSRS Screener (lifetime/recent version) with the Columbia triage points.

Six yes/no questions (``cssrs_screener_triage``): 1 wish to be dead and 2 non-specific
active suicidal thoughts (past month) are always asked; 3-5 (ideation with method, with
some intent, with plan and intent) only if 2 is yes; 6 (suicidal behaviour, lifetime) is
always asked and, if yes, followed by "was this within the past 3 months?" (key
``item6_recent``, position 7). Answers to questions the skip logic did not ask are refused,
not ignored, so a form bug cannot hide a "yes".

There is no total. The risk level is the highest one reached:

* low: yes to 1 or 2;
* moderate: yes to 3, or behaviour more than 3 months ago;
* high: yes to 4 or 5, or behaviour within the past 3 months.

Moderate and high raise an ``alert`` (a positive screen needs a clinician the same day);
low raises a ``warning``. The "since last visit" version (no 3-month follow-up) is not
modelled. Licence: Columbia offers the screener free for clinical use, but electronic
implementations are licensed through Clario (``cssrs_licence``); we store short labels from
the C-SSRS ideation and behaviour categories, not the questions' wording.
"""

from __future__ import annotations

from ketaclinic.clinical.scales.instrument import (
    Condition,
    FlagLevel,
    Instrument,
    Item,
    Rater,
    ScoringRule,
    TriageLevel,
    options,
)

__all__ = ["CSSRS_SCREEN"]

YES_NO = options((0, "No"), (1, "Yes"))

_ASKED_IF_THOUGHTS = Condition("item2", 1)

CSSRS_SCREEN = Instrument(
    id="cssrs_screen",
    title="Columbia-Suicide Severity Rating Scale, Screener (C-SSRS Screen)",
    version="Screener - Recent (lifetime/recent), triage points 2021",
    rater=Rater.CLINICIAN,
    recall_period="Questions 1-5: past month; question 6: lifetime, then past 3 months",
    items=(
        Item(1, "item1", "Wish to be dead (past month)", YES_NO),
        Item(2, "item2", "Non-specific active suicidal thoughts (past month)", YES_NO),
        Item(
            3,
            "item3",
            "Active suicidal ideation with any methods, without intent to act",
            YES_NO,
            asked_if=_ASKED_IF_THOUGHTS,
        ),
        Item(
            4,
            "item4",
            "Active suicidal ideation with some intent to act, without specific plan",
            YES_NO,
            asked_if=_ASKED_IF_THOUGHTS,
        ),
        Item(
            5,
            "item5",
            "Active suicidal ideation with specific plan and intent",
            YES_NO,
            asked_if=_ASKED_IF_THOUGHTS,
        ),
        Item(6, "item6", "Suicidal behaviour (lifetime)", YES_NO),
        Item(
            7,
            "item6_recent",
            "Suicidal behaviour within the past 3 months",
            YES_NO,
            asked_if=Condition("item6", 1),
        ),
    ),
    scoring=ScoringRule.TRIAGE,
    triage=(
        TriageLevel("none", "No risk identified by the screen", ()),
        TriageLevel(
            "low",
            "Low risk",
            (Condition("item1", 1), Condition("item2", 1)),
            flag_code="suicide_risk",
            flag_level=FlagLevel.WARNING,
            message="C-SSRS screen low risk (wish to be dead or suicidal thoughts): review.",
        ),
        TriageLevel(
            "moderate",
            "Moderate risk",
            (Condition("item3", 1), Condition("item6_recent", 0)),
            flag_code="suicide_risk",
            flag_level=FlagLevel.ALERT,
            message=(
                "C-SSRS screen moderate risk (ideation with method, or past suicidal "
                "behaviour): clinician assessment needed."
            ),
        ),
        TriageLevel(
            "high",
            "High risk",
            (Condition("item4", 1), Condition("item5", 1), Condition("item6_recent", 1)),
            flag_code="suicide_risk",
            flag_level=FlagLevel.ALERT,
            message=(
                "C-SSRS screen high risk (ideation with intent or plan, or suicidal behaviour "
                "in the past 3 months): immediate safety assessment."
            ),
        ),
    ),
    loinc_panel="93373-9",
    loinc_total=None,
    licence=(
        "Copyright Research Foundation for Mental Hygiene. Free for clinical and non-profit "
        "use in paper form; electronic implementations are licensed through Clario. Only "
        "category labels are stored, not the question text."
    ),
    sources=("cssrs_screener_triage", "cssrs_posner_2011", "cssrs_licence", "cssrs_hl7_bhp"),
    notes=(
        "No total score: the result's band is the risk level; LOINC 93374-7 (Suicide risk "
        "level) fits the risk level and 93373-9 the panel.",
    ),
)
