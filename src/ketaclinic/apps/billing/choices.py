from django.db import models

from ketaclinic.clinical.billing_codes import PayerKind as CorePayerKind
from ketaclinic.clinical.billing_codes import Service


class AuthorizationStatus(models.TextChoices):
    """A payer's prior authorization for a course: requested, then decided; an approval
    ends as expired once its end date has passed (``billing check-authorizations``)."""

    REQUESTED = "requested", "Requested"
    APPROVED = "approved", "Approved"
    DENIED = "denied", "Denied"
    APPEALED = "appealed", "Appealed"
    EXPIRED = "expired", "Expired"


class PayerKind(models.TextChoices):
    """Codes of ``clinical.billing_codes.PayerKind``: it decides how esketamine is coded."""

    MEDICARE = CorePayerKind.MEDICARE.value, "Medicare"
    MEDICAID = CorePayerKind.MEDICAID.value, "Medicaid"
    COMMERCIAL = CorePayerKind.COMMERCIAL.value, "Commercial insurance"
    SELF_PAY = CorePayerKind.SELF_PAY.value, "Self-pay"


class BillingService(models.TextChoices):
    """The services of ``clinical.billing_codes.Service``, for the clinic's own code table."""

    ESKETAMINE_VISIT_UP_TO_56MG = (
        Service.ESKETAMINE_VISIT_UP_TO_56MG.value,
        ("Esketamine visit, up to 56 mg (Medicare)"),
    )
    ESKETAMINE_VISIT_OVER_56MG = (
        Service.ESKETAMINE_VISIT_OVER_56MG.value,
        ("Esketamine visit, over 56 mg (Medicare)"),
    )
    ESKETAMINE_PER_MG = Service.ESKETAMINE_PER_MG.value, "Esketamine per mg (other payers)"
    IV_INFUSION_FIRST_HOUR = Service.IV_INFUSION_FIRST_HOUR.value, "IV infusion, first hour"
    IV_INFUSION_ADDITIONAL_HOUR = (
        Service.IV_INFUSION_ADDITIONAL_HOUR.value,
        ("IV infusion, each additional hour"),
    )
    IV_PUSH = Service.IV_PUSH.value, "IV push (15 minutes or less)"
    IM_INJECTION = Service.IM_INJECTION.value, "IM injection"
    KETAMINE_UNCLASSIFIED_DRUG = (
        Service.KETAMINE_UNCLASSIFIED_DRUG.value,
        ("Ketamine (unclassified drug)"),
    )
    PSYCHOTHERAPY_30 = Service.PSYCHOTHERAPY_30.value, "Psychotherapy, 30 minutes"
    PSYCHOTHERAPY_45 = Service.PSYCHOTHERAPY_45.value, "Psychotherapy, 45 minutes"
    PSYCHOTHERAPY_60 = Service.PSYCHOTHERAPY_60.value, "Psychotherapy, 60 minutes"
    OFFICE_VISIT_ESTABLISHED = (
        Service.OFFICE_VISIT_ESTABLISHED.value,
        ("Office visit, established patient"),
    )
