"""Outcomes: does the therapy do for this clinic's patients what the clinic promises?

Pure Python over plain records, in five small modules:

* ``definitions`` — per-instrument thresholds (supplied by the caller from the scale) and
  the clinic-configurable rules, each default with its source;
* ``records`` — the course, its scores, and the outcome records with their definitions;
* ``course`` — one course's baseline, response, remission, rapid response, sustained
  response, relapse, worsening, suicidal-ideation change and completion, as of a time;
* ``intervals`` — Wilson score intervals for every rate;
* ``survival`` — the Kaplan–Meier curve of staying relapse-free, with its Greenwood band;
* ``indications`` — what a course treats and the instrument it is judged on;
* ``cohort`` — rates over pre-aggregated per-course rows, intent to treat beside completers;
* ``evidence`` — published figures and brochure claims, and the verdict on each claim.

See ``docs/outcomes.md`` for the definitions, formulas and sources in one place.
"""

from ketaclinic.clinical.outcomes.cohort import (
    AdverseEventKind,
    CohortCounts,
    CohortSummary,
    CourseRow,
    TwoDenominators,
    count_rows,
    summarize_cohort,
    summarize_counts,
)
from ketaclinic.clinical.outcomes.course import assess_course, course_row, ideation_flags
from ketaclinic.clinical.outcomes.definitions import (
    OutcomeDefinition,
    OutcomeParameters,
    RelapseRule,
)
from ketaclinic.clinical.outcomes.evidence import (
    BROCHURE_CLAIMS,
    COVERAGE_SOURCE,
    MIN_COVERAGE,
    PUBLISHED_FIGURES,
    BrochureClaim,
    ClaimDirection,
    ClaimVerdict,
    Coverage,
    Denominator,
    Measure,
    ObservedRate,
    PublishedFigure,
    Verdict,
    compare_claim,
    compare_claims,
    coverage_for,
    observed_for,
    published_figures,
)
from ketaclinic.clinical.outcomes.indications import (
    INDICATION_INSTRUMENTS,
    MEASURES_THE_CONDITION,
    Indication,
    primary_instrument_for,
)
from ketaclinic.clinical.outcomes.intervals import DEFAULT_CONFIDENCE, Proportion, wilson_interval
from ketaclinic.clinical.outcomes.records import (
    ChangeDirection,
    CourseOutcome,
    CourseRecord,
    CourseState,
    OutcomeFlag,
    RelapseStatus,
    ScoredAssessment,
    SuicidalIdeationChange,
    SuicideRisk,
    SuicideRiskRating,
)
from ketaclinic.clinical.outcomes.survival import (
    KaplanMeierCurve,
    KaplanMeierStep,
    kaplan_meier,
    kaplan_meier_from_table,
)

__all__ = [
    "BROCHURE_CLAIMS",
    "COVERAGE_SOURCE",
    "DEFAULT_CONFIDENCE",
    "INDICATION_INSTRUMENTS",
    "MEASURES_THE_CONDITION",
    "MIN_COVERAGE",
    "PUBLISHED_FIGURES",
    "AdverseEventKind",
    "BrochureClaim",
    "ChangeDirection",
    "ClaimDirection",
    "ClaimVerdict",
    "CohortCounts",
    "CohortSummary",
    "CourseOutcome",
    "CourseRecord",
    "CourseRow",
    "CourseState",
    "Coverage",
    "Denominator",
    "Indication",
    "KaplanMeierCurve",
    "KaplanMeierStep",
    "Measure",
    "ObservedRate",
    "OutcomeDefinition",
    "OutcomeFlag",
    "OutcomeParameters",
    "Proportion",
    "PublishedFigure",
    "RelapseRule",
    "RelapseStatus",
    "ScoredAssessment",
    "SuicidalIdeationChange",
    "SuicideRisk",
    "SuicideRiskRating",
    "TwoDenominators",
    "Verdict",
    "assess_course",
    "compare_claim",
    "compare_claims",
    "count_rows",
    "course_row",
    "coverage_for",
    "ideation_flags",
    "kaplan_meier",
    "kaplan_meier_from_table",
    "observed_for",
    "primary_instrument_for",
    "published_figures",
    "summarize_cohort",
    "summarize_counts",
    "wilson_interval",
]
