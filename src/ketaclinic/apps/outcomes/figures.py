"""Each counted figure of the cohort, defined once: the exact path counts it over the course
rows, the refresh stores it per cohort cell, the aggregated path sums the cells.

A figure is either a count of courses meeting a condition (``COUNTED``) or a sum of a
per-course count (``SUMMED``). Every count of courses but ``started``, ``in_progress`` and
``in_progress_responding`` is over the courses no longer in progress (``ENDED``): a course
still in induction is shown apart and enters no rate. Sessions are counted in every course.

The dimensions a person can filter the cohort by (``CELL_DIMENSIONS``) are the key of a
cell; the first-dose date enters as its month, so a period made of whole months is answered
from the cells and any other period from the rows (``cohort.uses_cells``).
"""

from __future__ import annotations

from django.db.models import Q

from ketaclinic.apps.outcomes.choices import CourseState
from ketaclinic.clinical.outcomes import AdverseEventKind
from ketaclinic.clinical.outcomes.misuse import MisuseSignal

__all__ = [
    "AE_FIELDS",
    "CELL_DIMENSIONS",
    "COMPLETER",
    "COUNTED",
    "ENDED",
    "FIGURES",
    "MISUSE_FIELDS",
    "SUMMED",
]

# Site, route, protocol, indication, prescriber, sex, age band and first-dose month: the
# dashboard's filters (the period by whole months).
CELL_DIMENSIONS = (
    "site_id",
    "route",
    "protocol_id",
    "indication",
    "prescriber_id",
    "sex",
    "age_band",
    "first_dose_month",
)

AE_FIELDS = {
    AdverseEventKind.HYPERTENSION: "ae_hypertension",
    AdverseEventKind.NAUSEA_VOMITING: "ae_nausea_vomiting",
    AdverseEventKind.DISSOCIATION: "ae_dissociation",
    AdverseEventKind.SEDATION: "ae_sedation",
    AdverseEventKind.EMERGENCE_REACTION: "ae_emergence_reaction",
}
MISUSE_FIELDS = {signal: f"misuse_{signal.value}" for signal in MisuseSignal}

ENDED = ~Q(state=CourseState.IN_PROGRESS)
COMPLETER = Q(state=CourseState.CLOSED, completed=True, has_followup=True)
IN_PROGRESS = Q(state=CourseState.IN_PROGRESS)
HOME = Q(home_program=True)


def _any_misuse_signal() -> Q:
    condition = Q()
    for field in MISUSE_FIELDS.values():
        condition |= Q(**{field: True})
    return condition


# Figure name -> the condition a course meets to be counted in it.
COUNTED: dict[str, Q] = {
    "started": Q(pk__isnull=False),
    "in_progress": IN_PROGRESS,
    "in_progress_responding": IN_PROGRESS & Q(responded=True),
    "lost": Q(state=CourseState.LOST),
    "completed": ENDED & Q(completed=True),
    "completers": COMPLETER,
    "followed_up": ENDED & Q(has_followup=True),
    "response_measured": ENDED & Q(response_evaluable=True),
    "rapid_measured": ENDED & Q(rapid_evaluable=True),
    "relapse_eligible": ENDED & Q(relapse_eligible=True),
    "ideation_at_baseline": ENDED & Q(ideation_at_baseline=True),
    "ideation_followed": ENDED & Q(ideation_followed=True),
    "ideation_reduced": ENDED & Q(ideation_reduced=True),
    "ideation_on_phq9": ENDED & Q(ideation_on_phq9=True),
    "ideation_on_cssrs": ENDED & Q(ideation_on_cssrs=True),
    "response_itt": ENDED & Q(responded=True),
    "response_completers": COMPLETER & Q(responded=True),
    "remission_itt": ENDED & Q(remitted=True),
    "remission_completers": COMPLETER & Q(remitted=True),
    "rapid_itt": ENDED & Q(rapid_response=True),
    "rapid_completers": COMPLETER & Q(rapid_response=True),
    "worsening_itt": ENDED & Q(worsened=True),
    "worsening_completers": COMPLETER & Q(worsened=True),
    "home": ENDED & HOME,
    "misuse_any": ENDED & HOME & _any_misuse_signal(),
    **{field: ENDED & HOME & Q(**{field: True}) for field in MISUSE_FIELDS.values()},
}

# Figure name -> the per-course count summed into it (sessions: in every course).
SUMMED: dict[str, str] = {
    "sessions": "sessions_attended",
    "sessions_held": "sessions_held",
    "sessions_with_adverse_event": "sessions_with_adverse_event",
    **{field: field for field in AE_FIELDS.values()},
}

FIGURES = (*COUNTED, *SUMMED)
