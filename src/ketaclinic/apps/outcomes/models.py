"""Pre-aggregated outcomes: one row per started course, and its weekly primary scores.

A ``CourseOutcome`` is what ``clinical.outcomes.assess_course`` said about one course as of
``as_of``, flattened into columns the cohort query can count, plus the filter columns
(site, route, protocol, condition, age band, sex, first-dose date, prescriber) copied from
the course and the patient so the dashboard never joins or loads assessments. Each flag's
definition (instrument, rule, threshold, time point, source) is kept in ``definitions``, so
a stored result stays explainable after the clinic changes its rules.

Rows are derived data: ``refreshing.refresh_course_outcomes`` replaces them whenever the
course's sessions, assessments or adverse events change, and ``refresh_outcomes`` rebuilds
them all (nightly, so "ongoing" courses move on with the calendar).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from ketaclinic.apps.outcomes.choices import AgeBand, CourseState, ResponseGroup
from ketaclinic.apps.outcomes.figures import CELL_DIMENSIONS, FIGURES
from ketaclinic.apps.patients.choices import SexAtBirth
from ketaclinic.apps.treatment.choices import Indication, Route


class CourseOutcome(models.Model):
    """One started course's outcomes (a course with at least one dose given)."""

    course = models.OneToOneField(
        "treatment.Course", primary_key=True, on_delete=models.CASCADE, related_name="outcome"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="course_outcomes"
    )
    site = models.ForeignKey("accounts.Site", on_delete=models.PROTECT, related_name="+")
    route = models.CharField(max_length=16, choices=Route.choices)
    protocol_id = models.CharField(max_length=60)
    indication = models.CharField(max_length=40, choices=Indication.choices, blank=True)
    prescriber = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sex = models.CharField(max_length=16, choices=SexAtBirth.choices)
    age_band = models.CharField(max_length=8, choices=AgeBand.choices)
    first_dose_at = models.DateTimeField()
    first_dose_on = models.DateField(help_text="The first dose's date at the site.")
    first_dose_month = models.DateField(
        help_text="The first day of the first dose's month: the period key of the cohort cells."
    )
    induction_end_at = models.DateTimeField(null=True, blank=True)
    as_of = models.DateTimeField(help_text="The outcomes were judged as of this time.")
    state = models.CharField(
        max_length=16,
        choices=CourseState.choices,
        default=CourseState.CLOSED,
        help_text="In progress courses are shown apart and counted in no rate of patients.",
    )

    primary_instrument = models.CharField(max_length=40)
    baseline_total = models.PositiveSmallIntegerField(null=True, blank=True)
    baseline_at = models.DateTimeField(null=True, blank=True)
    end_total = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="End-of-induction score (last carried forward)."
    )
    end_at = models.DateTimeField(null=True, blank=True)
    latest_total = models.PositiveSmallIntegerField(null=True, blank=True)
    latest_at = models.DateTimeField(null=True, blank=True)

    completed = models.BooleanField()
    has_followup = models.BooleanField()
    response_evaluable = models.BooleanField(
        default=False, help_text="A baseline and an end-of-induction score exist."
    )
    rapid_evaluable = models.BooleanField(
        default=False, help_text="A baseline and a primary score within 24 h of the first dose."
    )
    responded = models.BooleanField()
    remitted = models.BooleanField()
    rapid_response = models.BooleanField()
    worsened = models.BooleanField()
    sustained_response = models.BooleanField()
    days_to_response = models.FloatField(null=True, blank=True)
    relapse_eligible = models.BooleanField(
        default=False, help_text="Responded at the end of an ended induction."
    )
    relapse_at_risk = models.BooleanField(
        help_text="Eligible and scored at least once after the end-of-induction score."
    )
    relapsed = models.BooleanField()
    relapse_days = models.FloatField(
        null=True, blank=True, help_text="End of induction to relapse, or to censoring."
    )
    ideation_change = models.CharField(max_length=16, help_text="PHQ-9 item 9 change.")
    ideation_at_baseline = models.BooleanField(
        default=False,
        help_text="PHQ-9 item 9 above 0 or a C-SSRS screen above no risk before the first dose.",
    )
    ideation_followed = models.BooleanField(
        default=False, help_text="Ideation at baseline and measured again since."
    )
    ideation_on_phq9 = models.BooleanField(
        default=False, help_text="Followed, and judged on PHQ-9 item 9."
    )
    ideation_on_cssrs = models.BooleanField(
        default=False, help_text="Followed, and judged on the C-SSRS risk level."
    )
    ideation_reduced = models.BooleanField(
        default=False, help_text="Followed and lower at the latest reading."
    )
    response_group = models.CharField(max_length=16, choices=ResponseGroup.choices)
    home_program = models.BooleanField(
        default=False, help_text="The course has a home (sublingual) prescription."
    )
    misuse_early_refill_request = models.BooleanField(default=False)
    misuse_pill_count_shortfall = models.BooleanField(default=False)
    misuse_dose_increase_request = models.BooleanField(default=False)
    misuse_missed_return = models.BooleanField(default=False)

    sessions_given = models.PositiveSmallIntegerField(help_text="Dosing sessions with a dose.")
    sessions_required = models.PositiveSmallIntegerField()
    sessions_attended = models.PositiveSmallIntegerField(
        help_text="Sessions checked in (dosed or held): the per-session denominator."
    )
    sessions_held = models.PositiveSmallIntegerField()
    sessions_with_adverse_event = models.PositiveSmallIntegerField()
    ae_hypertension = models.PositiveSmallIntegerField(default=0)
    ae_nausea_vomiting = models.PositiveSmallIntegerField(default=0)
    ae_dissociation = models.PositiveSmallIntegerField(default=0)
    ae_sedation = models.PositiveSmallIntegerField(default=0)
    ae_emergence_reaction = models.PositiveSmallIntegerField(default=0)
    sessions_with_dose_deviation = models.PositiveSmallIntegerField(
        default=0,
        help_text="Doses given other than as ordered, accepted with a recorded reason "
        "(charting's rights at the chair): an analyst can leave such courses out.",
    )
    refreshed_at = models.DateTimeField()

    class Meta:
        ordering = ["-first_dose_at"]
        permissions = [
            ("view_cohort", "See the clinic's cohort outcomes"),
            ("export_dataset", "Export the de-identified analysis dataset"),
            ("print_progress_report", "Print a patient's outcome progress report"),
            ("refresh_outcomes", "Recompute the stored course outcomes"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(has_followup=True) | Q(responded=False, remitted=False, worsened=False),
                name="outcome_flags_need_followup",
            ),
            models.CheckConstraint(
                condition=Q(relapse_at_risk=True, relapse_days__gte=0)
                | Q(relapse_at_risk=False, relapsed=False),
                name="outcome_relapse_needs_time_at_risk",
            ),
            models.CheckConstraint(
                condition=Q(rapid_evaluable=True) | Q(rapid_response=False),
                name="outcome_rapid_response_needs_a_measurement",
            ),
            models.CheckConstraint(
                condition=Q(sessions_held__lte=models.F("sessions_attended"))
                & Q(sessions_with_adverse_event__lte=models.F("sessions_attended")),
                name="outcome_session_counts_within_attended",
            ),
        ]
        indexes = [
            models.Index(fields=["site", "first_dose_on"], name="outcome_site_day_idx"),
        ]

    def __str__(self) -> str:
        return f"Outcome of course {self.course_id}"


class OutcomeExplanation(models.Model):
    """Each flag's definition for one course: instrument, rule, threshold, time point, source.

    A table of its own so the cohort query scans narrow rows: about 1.4 kB of explanation
    per course would otherwise make the heap five times wider (PostgreSQL only moves a value
    out of line above 2 kB a row), and the page's counts never read it.
    """

    outcome = models.OneToOneField(
        CourseOutcome, primary_key=True, on_delete=models.CASCADE, related_name="explanation"
    )
    definitions = models.JSONField()

    def __str__(self) -> str:
        return f"Definitions for course {self.outcome_id}"


class WeeklyScore(models.Model):
    """The primary instrument's last score in each week of a course (week 0 = baseline).

    Kept so the trajectory plot (median score by week, by response group) is a ``GROUP BY``
    over small integers rather than a read of every assessment. The course's filter columns
    and response group are copied here too, so that query needs no join (at 100,000
    patients the join alone cost more than the whole page's budget).
    """

    outcome = models.ForeignKey(CourseOutcome, on_delete=models.CASCADE, related_name="weeks")
    week = models.PositiveSmallIntegerField()
    total = models.PositiveSmallIntegerField()
    site = models.ForeignKey("accounts.Site", on_delete=models.PROTECT, related_name="+")
    route = models.CharField(max_length=16, choices=Route.choices)
    protocol_id = models.CharField(max_length=60)
    indication = models.CharField(max_length=40, choices=Indication.choices, blank=True)
    prescriber = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sex = models.CharField(max_length=16, choices=SexAtBirth.choices)
    age_band = models.CharField(max_length=8, choices=AgeBand.choices)
    first_dose_on = models.DateField()
    first_dose_month = models.DateField()
    primary_instrument = models.CharField(max_length=40)
    response_group = models.CharField(max_length=16, choices=ResponseGroup.choices)

    class Meta:
        ordering = ["outcome", "week"]
        constraints = [
            models.UniqueConstraint(fields=["outcome", "week"], name="weekly_score_once_a_week")
        ]

    def __str__(self) -> str:
        return f"week {self.week}: {self.total}"


class CohortCellKey(models.Model):
    """The dashboard's filter dimensions, with the period as the first dose's month."""

    site = models.ForeignKey("accounts.Site", on_delete=models.PROTECT, related_name="+")
    route = models.CharField(max_length=16, choices=Route.choices)
    protocol_id = models.CharField(max_length=60)
    indication = models.CharField(max_length=40, choices=Indication.choices, blank=True)
    prescriber = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sex = models.CharField(max_length=16, choices=SexAtBirth.choices)
    age_band = models.CharField(max_length=8, choices=AgeBand.choices)
    first_dose_month = models.DateField(help_text="The first day of the first doses' month.")

    class Meta:
        abstract = True


class CohortCell(CohortCellKey):
    """Every counted figure (``figures.FIGURES``) over the courses of one cell.

    Kept by the refresh in the transaction that replaces the course rows (the change of
    each figure added to the cell), so the dashboard sums a few hundred cells instead of
    counting every course; the columns are added below from the one list of figures.
    """

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=CELL_DIMENSIONS, name="cohort_cell_once"),
        ]

    def __str__(self) -> str:
        return f"Cohort cell {self.pk}"


for _figure in FIGURES:
    CohortCell.add_to_class(_figure, models.PositiveIntegerField(default=0))


class RelapseCell(CohortCellKey):
    """The Kaplan–Meier life table's inputs in one cell: of the ended courses at risk of
    relapse, how many relapsed and how many were censored at ``relapse_days``."""

    relapse_days = models.FloatField()
    relapses = models.PositiveIntegerField(default=0)
    censored = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=(*CELL_DIMENSIONS, "relapse_days"), name="relapse_cell_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.relapses} relapsed, {self.censored} censored at {self.relapse_days} d"


class TrajectoryCell(CohortCellKey):
    """The trajectory plot's histogram in one cell: how many courses of a response group
    scored ``total`` on the trajectory instrument in ``week`` (medians come from it)."""

    response_group = models.CharField(max_length=16, choices=ResponseGroup.choices)
    week = models.PositiveSmallIntegerField()
    total = models.PositiveSmallIntegerField()
    courses = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=(*CELL_DIMENSIONS, "response_group", "week", "total"),
                name="trajectory_cell_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.courses} {self.response_group} scored {self.total} in week {self.week}"


class CohortCellState(models.Model):
    """One row: whether the cells hold the course rows' figures, and the rows' version.

    ``built`` is false only between an upgrade that finds course rows without cells (or a
    course deleted with its patient) and the next full refresh, which rebuilds the cells;
    until then the dashboard counts the rows. ``version`` is drawn afresh, at random, by
    every refresh in its transaction: a report computed for one version is never shown
    after the rows change (a counter would repeat after a rolled-back refresh). Every
    refresh locks this row first, so two refreshes never change the same cells at once.
    """

    built = models.BooleanField(default=False)
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"Cohort cells, version {self.version}" + ("" if self.built else " (unbuilt)")
