from django.db import models


class Role(models.TextChoices):
    """Staff roles; each is a Django group whose permissions ``roles.ROLE_PERMISSIONS`` sets."""

    FRONT_DESK = "front_desk", "Front desk"
    NURSE = "nurse", "Nurse"
    PRESCRIBER = "prescriber", "Prescriber"
    THERAPIST = "therapist", "Therapist"
    MEDICAL_DIRECTOR = "medical_director", "Medical director"
    ADMIN = "admin", "Administrator"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class MfaState(models.TextChoices):
    """Where a logged-in session stands with the second factor (kept in the session)."""

    NOT_REQUIRED = "not_required", "Not required and not enrolled"
    ENROL = "enrol", "Must enrol before going on"
    VERIFY = "verify", "Must type a code before going on"
    VERIFIED = "verified", "Code given this session"


# Roles whose holders must use a second factor: they prescribe a controlled substance, see the
# whole clinic, or administer accounts. Everyone else may enrol.
MFA_REQUIRED_ROLES = ("prescriber", "medical_director", "admin")


class EsketamineLabel(models.TextChoices):
    """Which esketamine label a site follows (``clinical.dosing.EsketamineLabel``).

    The US label starts every adult at 56 mg; the EU/UK SmPC starts adults of 65 and over at
    28 mg (``dose.spravato-eu-smpc``). The jurisdiction decides, so it is a site setting.
    """

    US = "us", "US label (56 mg on day 1 at every adult age)"
    EU = "eu", "EU/UK SmPC (28 mg on day 1 at 65 and over)"
