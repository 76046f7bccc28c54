"""Stored codes of the waitlist: programs, statuses, contact preferences, events, tallies."""

from django.db import models

from ketaclinic.apps.patients.choices import ConditionCode


class Program(models.TextChoices):
    """What a person asks to join. Later programs (home, KAP, IOP) hang off the same code."""

    IN_CLINIC_IV_IM = "in_clinic_iv_im", "In-clinic ketamine infusion or injection (IV/IM)"
    ESKETAMINE = "esketamine", "Esketamine nasal spray (Spravato) in clinic"
    HOME_SUBLINGUAL = "home_sublingual", "Home-based sublingual ketamine"
    KAP = "kap", "Ketamine-assisted psychotherapy (KAP)"
    IOP = "iop", "Intensive outpatient program (IOP)"


class EnquiryStatus(models.TextChoices):
    """new → contacted → scheduled → converted, or declined from any open status."""

    NEW = "new", "New"
    CONTACTED = "contacted", "Contacted"
    SCHEDULED = "scheduled", "Intake scheduled"
    CONVERTED = "converted", "Became a patient"
    DECLINED = "declined", "Declined"


OPEN_STATUSES = (EnquiryStatus.NEW, EnquiryStatus.CONTACTED, EnquiryStatus.SCHEDULED)

OTHER_CONDITION = "other"
# The conditions of the patient record plus "other": an enquiry's condition becomes the
# patient's primary condition on conversion when it is one of the coded ones.
EnquiryCondition = models.TextChoices(
    "EnquiryCondition",
    [(value.upper(), (value, label)) for value, label in ConditionCode.choices]
    + [("OTHER", (OTHER_CONDITION, "Something else"))],
)


class ContactMethod(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"


class ContactTime(models.TextChoices):
    ANY = "any", "Any time"
    MORNING = "morning", "Mornings"
    AFTERNOON = "afternoon", "Afternoons"
    EVENING = "evening", "Evenings"


class ContactOutcome(models.TextChoices):
    """What came of one attempt; only reaching the person moves a new enquiry to contacted."""

    REACHED = "reached", "Reached them"
    NO_ANSWER = "no_answer", "No answer"
    LEFT_MESSAGE = "left_message", "Left a message"
    UNREACHABLE = "unreachable", "Wrong number or address"


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", "Joined the waitlist"
    CONTACT_ATTEMPT = "contact_attempt", "Contact attempt"
    INTAKE_SCHEDULED = "intake_scheduled", "Intake scheduled"
    DECLINED = "declined", "Declined"
    CONVERTED = "converted", "Became a patient"


class TallyKind(models.TextChoices):
    """Public submissions turned away: counted per site and day, their content never kept."""

    UNDER_18 = "under_18", "Under 18 (told the clinic treats adults)"
    HONEYPOT = "honeypot", "Automated (hidden field filled)"
    TOO_FAST = "too_fast", "Sent faster than a person types"
    RATE_LIMITED = "rate_limited", "Too many from one address"
    OVERSIZE = "oversize", "Request too large"
