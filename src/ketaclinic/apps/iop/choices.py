from django.db import models

from ketaclinic.clinical.intensive_outpatient import AttendanceStatus as CoreStatus
from ketaclinic.clinical.intensive_outpatient import Population as CorePopulation


class GroupFocus(models.TextChoices):
    """What the group works on."""

    DEPRESSION = "depression", "Depression"
    PTSD = "ptsd", "PTSD"
    SUBSTANCE_USE = "substance_use", "Substance use"
    ANXIETY = "anxiety", "Anxiety"
    MIXED = "mixed", "Mixed diagnoses"


class Population(models.TextChoices):
    """Adults or adolescents: it sets the weekly minimum (``clinical.intensive_outpatient``)."""

    ADULT = CorePopulation.ADULT.value, "Adults"
    ADOLESCENT = CorePopulation.ADOLESCENT.value, "Adolescents"


class GroupStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    ACTIVE = "active", "Running"
    CLOSED = "closed", "Closed"


class SessionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    HELD = "held", "Held (attendance taken)"
    CANCELLED = "cancelled", "Cancelled"


class AttendanceStatus(models.TextChoices):
    """The five ways a patient attends a group, as the clinical core counts them."""

    PRESENT = CoreStatus.PRESENT.value, "Present"
    LATE = CoreStatus.LATE.value, "Late"
    LEFT_EARLY = CoreStatus.LEFT_EARLY.value, "Left early"
    ABSENT_EXCUSED = CoreStatus.ABSENT_EXCUSED.value, "Absent (excused)"
    ABSENT_UNEXCUSED = CoreStatus.ABSENT_UNEXCUSED.value, "Absent (unexcused)"


class EndReason(models.TextChoices):
    """Why a patient left the group."""

    COMPLETED = "completed", "Completed the program"
    STEPPED_DOWN = "stepped_down", "Stepped down to outpatient care"
    STEPPED_UP = "stepped_up", "Stepped up (partial hospitalisation or inpatient)"
    WITHDREW = "withdrew", "Withdrew"
    NON_ATTENDANCE = "non_attendance", "Stopped attending"
    TRANSFERRED = "transferred", "Transferred to another group"
    OTHER = "other", "Other"
