"""PHQ-9: the nine-item depression module of the Patient Health Questionnaire.

Scored as Kroenke 2001 publishes it (``phq9_kroenke_2001``): nine items 0-3 over the last
two weeks, total 0-27, severity cut-points 5, 10, 15 and 20, and 10 or more as the cut-off
for major depression. Question 10 (how difficult the problems made life) is recorded but
never scored. Any answer above 0 to item 9 (thoughts of being better off dead or of
self-harm) raises an alert: a positive item 9 needs a clinician's follow-up whatever the
total. Item text is reproduced under the PHQ's free-use terms (``phq_screeners_licence``).
"""

from __future__ import annotations

from decimal import Decimal

from ketaclinic.clinical.scales.instrument import (
    Band,
    Cutoff,
    FlagLevel,
    Instrument,
    Item,
    OutcomeDefinition,
    Rater,
    SafetyRule,
    ScoringRule,
    numbered_items,
    options,
)

__all__ = ["PHQ9"]

FREQUENCY = options(
    (0, "Not at all"),
    (1, "Several days"),
    (2, "More than half the days"),
    (3, "Nearly every day"),
)

_TEXTS = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself — or that you are a failure or have let yourself or your "
    "family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite — "
    "being so fidgety or restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead or of hurting yourself in some way",
)

_LABELS = (
    "Anhedonia",
    "Depressed mood",
    "Sleep",
    "Energy",
    "Appetite",
    "Self-worth",
    "Concentration",
    "Psychomotor",
    "Thoughts of death or self-harm",
)

PHQ9 = Instrument(
    id="phq9",
    title="Patient Health Questionnaire-9 (PHQ-9)",
    version="Kroenke 2001",
    rater=Rater.SELF,
    recall_period="Over the last 2 weeks",
    items=(
        *numbered_items(_LABELS, FREQUENCY, _TEXTS),
        Item(
            number=10,
            key="item10",
            label="Functional difficulty (not scored)",
            text=(
                "If you checked off any problems, how difficult have these problems made it "
                "for you to do your work, take care of things at home, or get along with "
                "other people?"
            ),
            options=options(
                (0, "Not difficult at all"),
                (1, "Somewhat difficult"),
                (2, "Very difficult"),
                (3, "Extremely difficult"),
            ),
            scored=False,
            required=False,
        ),
    ),
    scoring=ScoringRule.SUM,
    bands=(
        Band("minimal", "Minimal", 0, 4),
        Band("mild", "Mild", 5, 9),
        Band("moderate", "Moderate", 10, 14),
        Band("moderately_severe", "Moderately severe", 15, 19),
        Band("severe", "Severe", 20, 27),
    ),
    cutoffs=(
        Cutoff(
            "major_depression_cutoff",
            10,
            "A total of 10 or more: sensitivity and specificity 88% for major depression.",
            "phq9_kroenke_2001",
        ),
    ),
    safety_rules=(
        SafetyRule(
            code="suicidal_ideation",
            item="item9",
            minimum=1,
            maximum=3,
            level=FlagLevel.ALERT,
            message="PHQ-9 item 9 above 0: thoughts of death or self-harm; assess risk now.",
            source="phq9_kroenke_2001",
        ),
    ),
    outcome=OutcomeDefinition(
        response_text="A reduction of at least 50% from the baseline total (Löwe 2004).",
        remission_text="A current total below 5, i.e. 4 or less (Löwe 2004; Kroenke 2001).",
        remission_at_most=4,
        response_percent=Decimal("50"),
        sources=("phq9_lowe_2004", "phq9_kroenke_2001"),
    ),
    loinc_panel="44249-1",
    loinc_total="44261-6",
    licence=(
        "Free to use, reproduce and translate without permission (Pfizer; developed by Drs "
        "Spitzer, Williams, Kroenke and colleagues). Item text included."
    ),
    sources=("phq9_kroenke_2001", "phq9_lowe_2004", "phq_screeners_licence", "loinc_phq_gad"),
)
