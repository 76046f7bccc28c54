"""PCL-5: the PTSD Checklist for DSM-5 (National Center for PTSD).

Twenty items rated 0-4 for the past month, total 0-80, with DSM-5 cluster scores B
(items 1-5), C (6-7), D (8-14) and E (15-20) (``pcl5_weathers_2013``). The National Center
for PTSD gives two ways to a provisional diagnosis and we report both as indicators:

* ``provisional_ptsd_cutoff``: total at or above 33. The Center suggests 31-33; we take 33,
  the stricter end (``pcl5_bovin_2016``), so fewer people are labelled on a screen alone.
* ``provisional_ptsd_dsm5_rule``: items rated 2 ("moderately") or more count as symptoms,
  and DSM-5 needs at least 1 B, 1 C, 2 D and 2 E.

There are no empirically derived severity bands, so there are none here: the bands are
below / at-or-above the cut-off. Response is a 10-point reduction (the Center's clinically
meaningful change) and "remission" is a current total below the cut-off. The PCL-5 was
developed by VA staff and is in the public domain, so item text is included.
"""

from __future__ import annotations

from ketaclinic.clinical.scales.instrument import (
    Band,
    Cutoff,
    Instrument,
    OutcomeDefinition,
    Rater,
    ScoringRule,
    Subscale,
    SymptomRule,
    numbered_items,
    options,
)

__all__ = ["PCL5", "PCL5_PROVISIONAL_CUTOFF"]

PCL5_PROVISIONAL_CUTOFF = 33

_OPTIONS = options(
    (0, "Not at all"),
    (1, "A little bit"),
    (2, "Moderately"),
    (3, "Quite a bit"),
    (4, "Extremely"),
)

_TEXTS = (
    "Repeated, disturbing, and unwanted memories of the stressful experience?",
    "Repeated, disturbing dreams of the stressful experience?",
    "Suddenly feeling or acting as if the stressful experience were actually happening again "
    "(as if you were actually back there reliving it)?",
    "Feeling very upset when something reminded you of the stressful experience?",
    "Having strong physical reactions when something reminded you of the stressful experience "
    "(for example, heart pounding, trouble breathing, sweating)?",
    "Avoiding memories, thoughts, or feelings related to the stressful experience?",
    "Avoiding external reminders of the stressful experience (for example, people, places, "
    "conversations, activities, objects, or situations)?",
    "Trouble remembering important parts of the stressful experience?",
    "Having strong negative beliefs about yourself, other people, or the world (for example, "
    "having thoughts such as: I am bad, there is something seriously wrong with me, no one "
    "can be trusted, the world is completely dangerous)?",
    "Blaming yourself or someone else for the stressful experience or what happened after it?",
    "Having strong negative feelings such as fear, horror, anger, guilt, or shame?",
    "Loss of interest in activities that you used to enjoy?",
    "Feeling distant or cut off from other people?",
    "Trouble experiencing positive feelings (for example, being unable to feel happiness or "
    "have loving feelings for people close to you)?",
    "Irritable behavior, angry outbursts, or acting aggressively?",
    "Taking too many risks or doing things that could cause you harm?",
    'Being "superalert" or watchful or on guard?',
    "Feeling jumpy or easily startled?",
    "Having difficulty concentrating?",
    "Trouble falling or staying asleep?",
)

_LABELS = (
    "Intrusive memories",
    "Disturbing dreams",
    "Flashbacks",
    "Upset at reminders",
    "Physical reactions to reminders",
    "Avoiding memories",
    "Avoiding external reminders",
    "Trouble remembering",
    "Negative beliefs",
    "Blame",
    "Strong negative feelings",
    "Loss of interest",
    "Feeling distant",
    "Trouble with positive feelings",
    "Irritability or aggression",
    "Risk-taking",
    "Hypervigilance",
    "Startle",
    "Concentration",
    "Sleep",
)


def _keys(first: int, last: int) -> tuple[str, ...]:
    return tuple(f"item{n}" for n in range(first, last + 1))


PCL5 = Instrument(
    id="pcl5",
    title="PTSD Checklist for DSM-5 (PCL-5)",
    version="PCL-5 (2013), past-month form",
    rater=Rater.SELF,
    recall_period="In the past month",
    items=numbered_items(_LABELS, _OPTIONS, _TEXTS),
    scoring=ScoringRule.SUM,
    bands=(
        Band("below_cutoff", "Below the provisional PTSD cut-off", 0, PCL5_PROVISIONAL_CUTOFF - 1),
        Band(
            "probable_ptsd", "Probable PTSD (at or above the cut-off)", PCL5_PROVISIONAL_CUTOFF, 80
        ),
    ),
    cutoffs=(
        Cutoff(
            "provisional_ptsd_cutoff",
            PCL5_PROVISIONAL_CUTOFF,
            "A total of 33 or more suggests probable PTSD (suggested range 31-33); confirm "
            "with a structured interview such as the CAPS-5.",
            "pcl5_bovin_2016",
        ),
    ),
    subscales=(
        Subscale("cluster_b", "Intrusion (B)", _keys(1, 5)),
        Subscale("cluster_c", "Avoidance (C)", _keys(6, 7)),
        Subscale("cluster_d", "Negative cognitions and mood (D)", _keys(8, 14)),
        Subscale("cluster_e", "Arousal and reactivity (E)", _keys(15, 20)),
    ),
    symptom_rules=(
        SymptomRule(
            code="provisional_ptsd_dsm5_rule",
            endorsed_at=2,
            required=(("cluster_b", 1), ("cluster_c", 1), ("cluster_d", 2), ("cluster_e", 2)),
            meaning=(
                "Items rated 2 or more count as symptoms; DSM-5 needs at least 1 B, 1 C, 2 D "
                "and 2 E."
            ),
            source="pcl5_weathers_2013",
        ),
    ),
    outcome=OutcomeDefinition(
        response_text=(
            "A reduction of at least 10 points: the National Center for PTSD's clinically "
            "meaningful change (5 points is reliable change)."
        ),
        remission_text=(
            "A current total below the provisional cut-off of 33 (no longer probable PTSD "
            "on the screen); not a diagnosis of remission."
        ),
        remission_at_most=PCL5_PROVISIONAL_CUTOFF - 1,
        response_points=10,
        sources=("pcl5_weathers_2013", "pcl5_bovin_2016"),
    ),
    loinc_panel=None,
    loinc_total=None,
    licence=(
        "Public domain: developed by staff of the National Center for PTSD (US Department of "
        "Veterans Affairs) and not copyrighted. Item text included."
    ),
    sources=("pcl5_weathers_2013", "pcl5_bovin_2016"),
    notes=(
        "LOINC codes for the PCL-5 panel and total were not verified in this session and are "
        "left empty rather than guessed.",
    ),
)
