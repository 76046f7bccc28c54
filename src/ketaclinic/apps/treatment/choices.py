from django.db import models


class Route(models.TextChoices):
    """Codes match ``ketaclinic.clinical.routes.Route``."""

    IV = "iv", "IV infusion (racemic ketamine)"
    IM = "im", "IM injection (racemic ketamine)"
    ESKETAMINE = "esketamine", "Esketamine nasal spray"
    SUBLINGUAL = "sublingual", "Sublingual troche (racemic ketamine)"
    ORAL = "oral", "Oral (racemic ketamine)"


class CourseStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    COMPLETED = "completed", "Completed"
    STOPPED = "stopped", "Stopped early"


class CoursePhase(models.TextChoices):
    INDUCTION = "induction", "Induction"
    MAINTENANCE = "maintenance", "Maintenance"
    CONTINUATION = "continuation", "Continuation"


class SessionKind(models.TextChoices):
    DOSING = "dosing", "Dosing session"
    PREPARATION = "preparation", "Preparation (psychotherapy)"
    INTEGRATION = "integration", "Integration (psychotherapy)"
    REVIEW = "review", "Prescriber review"


class SessionStatus(models.TextChoices):
    """A session's life: planned → checked in → dosing → observing → discharged.

    Cancelled and no-show end a planned or checked-in session. Every change is a recorded
    ``SessionEvent``, never a silent edit.
    """

    PLANNED = "planned", "Planned"
    CHECKED_IN = "checked_in", "Checked in"
    DOSING = "dosing", "Dosing"
    OBSERVING = "observing", "Observing"
    DISCHARGED = "discharged", "Discharged"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"


SESSION_TRANSITIONS: dict[str, tuple[str, ...]] = {
    SessionStatus.PLANNED: (
        SessionStatus.CHECKED_IN,
        SessionStatus.CANCELLED,
        SessionStatus.NO_SHOW,
    ),
    SessionStatus.CHECKED_IN: (SessionStatus.DOSING, SessionStatus.CANCELLED),
    SessionStatus.DOSING: (SessionStatus.OBSERVING,),
    SessionStatus.OBSERVING: (SessionStatus.DISCHARGED,),
    SessionStatus.DISCHARGED: (),
    SessionStatus.CANCELLED: (),
    SessionStatus.NO_SHOW: (),
}
