from django.db import models


class AgeBand(models.TextChoices):
    """Age at the first dose, in the bands outcome reports use (no date of birth leaves)."""

    UNDER_25 = "18-24", "18–24"
    FROM_25 = "25-34", "25–34"
    FROM_35 = "35-44", "35–44"
    FROM_45 = "45-54", "45–54"
    FROM_55 = "55-64", "55–64"
    FROM_65 = "65+", "65 and over"


class CourseState(models.TextChoices):
    """Where a course stands (``clinical.outcomes.CourseState``): only closed and lost
    courses enter the rates of patients; in-progress courses are shown apart."""

    IN_PROGRESS = "in_progress", "In progress"
    CLOSED = "closed", "Closed (induction ended or stopped)"
    LOST = "lost", "Lost (no dose for 4 weeks, never closed)"


class ResponseGroup(models.TextChoices):
    """How a course ended, for the trajectory plot: who responded, who did not, who left."""

    RESPONDER = "responder", "Responders"
    NON_RESPONDER = "non_responder", "Non-responders"
    NO_FOLLOW_UP = "no_follow_up", "No follow-up score"


def age_band(age_years: int) -> str:
    """The band for an age in whole years (anyone under 25 is in the youngest band)."""
    for limit, band in ((25, AgeBand.UNDER_25), (35, AgeBand.FROM_25), (45, AgeBand.FROM_35)):
        if age_years < limit:
            return band
    for limit, band in ((55, AgeBand.FROM_45), (65, AgeBand.FROM_55)):
        if age_years < limit:
            return band
    return AgeBand.FROM_65
