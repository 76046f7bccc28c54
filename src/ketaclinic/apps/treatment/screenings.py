"""Running a screening through the core's rules, storing it, and the prescriber's sign-off.

The rules decide nothing here that the core did not: ``clinical.eligibility.screen`` makes
the findings; this module stores them with the inputs, the clinic's parameters and the rule
set's version, and enforces the sign-off contract: a ``contraindicated`` finding cannot be
overridden, and proceeding past a ``review`` finding needs a documented reason for each.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction

from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event
from ketaclinic.apps.patients.choices import MeasurementSource
from ketaclinic.apps.patients.dosing_weight import record_measurement
from ketaclinic.apps.treatment.choices import FindingLevel, SignoffDecision
from ketaclinic.apps.treatment.models import ClinicRuleSettings, Screening
from ketaclinic.apps.web import clock
from ketaclinic.clinical.eligibility import ScreeningInput, ScreeningParameters, screen

if TYPE_CHECKING:
    from django.http import HttpRequest

    from ketaclinic.apps.accounts.models import Site
    from ketaclinic.apps.patients.models import Patient

REASON_MIN_LENGTH = 10
"""A documented reason is a sentence, not "ok": at least this many characters."""


class SignoffRefused(Exception):
    """The sign-off breaks the contract; ``errors`` maps a form field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def plain_json(value: Any) -> Any:
    """Decimals as JSON numbers (int when whole), recursively, so stored JSON reads back."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain_json(v) for v in value]
    return value


def screening_parameters(site: Site) -> ScreeningParameters:
    """The site's parameters: its stored overrides read by the core, or the sourced defaults."""
    overrides = (
        ClinicRuleSettings.objects.filter(site=site)
        .values_list("screening_overrides", flat=True)
        .first()
    )
    return ScreeningParameters.from_dict(overrides or {})


def run_screening(
    patient: Patient, inputs: dict[str, Any], *, user: Any, request: HttpRequest | None
) -> Screening:
    """Screen ``patient`` with ``inputs`` (the CLI's JSON shape) and store the result.

    Bad inputs raise the core's ``InputError`` naming the field; nothing is written then.
    The weight and height measured for it go into the patient's measurement history (to
    0.1, the history's precision), dated the screening's day at the site: that history is
    what the plan and the dose order read.
    """
    parsed = ScreeningInput.from_dict(inputs)
    parameters = screening_parameters(patient.site)
    result = screen(parsed, parameters)
    now = clock.now()
    tenth = Decimal("0.1")
    with transaction.atomic():
        record_measurement(
            patient,
            weight_kg=parsed.weight_kg.quantize(tenth, ROUND_HALF_UP),
            height_cm=parsed.height_cm.quantize(tenth, ROUND_HALF_UP),
            measured_on=clock.today(patient.site.timezone),
            source=MeasurementSource.SCREENING,
            user=user,
            request=request,
        )
        screening = Screening.objects.create(
            patient=patient,
            site=patient.site,
            inputs=plain_json(inputs),
            route=parsed.route.value,
            setting=parsed.setting.value,
            rules_version=result.rules_version,
            parameters=plain_json(parameters.to_dict()),
            decision=result.decision.value,
            findings=[
                {"code": f.code, "level": f.level.value, "message": f.message, "source": f.source}
                for f in result.findings
            ],
            screened_by=user,
            screened_at=now,
        )
        record_event(
            request,
            Action.CREATE,
            object_type="screening",
            object_id=screening.pk,
            patient=patient,
            detail={"decision": screening.decision, "rules_version": screening.rules_version},
            actor=user,
        )
    return screening


def signoff_problems(
    screening: Screening, decision: str, reasons: dict[str, str]
) -> dict[str, str]:
    """Every way this sign-off breaks the contract, by form field (empty when it is fine)."""
    problems: dict[str, str] = {}
    if screening.is_signed:
        problems["decision"] = "This screening is already signed."
        return problems
    if decision not in SignoffDecision.values:
        problems["decision"] = "Choose proceed or do not proceed."
        return problems
    if decision != SignoffDecision.PROCEED:
        return problems
    blocking = screening.findings_at(FindingLevel.CONTRAINDICATED)
    if blocking:
        codes = ", ".join(f["code"] for f in blocking)
        problems["decision"] = (
            f"A contraindicated finding cannot be overridden ({codes}). "
            "Sign as do not proceed, or re-screen when the facts change."
        )
    for code in screening.review_codes:
        if len((reasons.get(code) or "").strip()) < REASON_MIN_LENGTH:
            problems[f"reason_{code}"] = (
                f"Document why it is safe to proceed despite {code} "
                f"(at least {REASON_MIN_LENGTH} characters)."
            )
    return problems


def sign_screening(
    screening: Screening,
    *,
    decision: str,
    reasons: dict[str, str],
    note: str,
    user: Any,
    request: HttpRequest | None,
) -> Screening:
    """Record the prescriber's decision under a row lock; ``SignoffRefused`` when not allowed.

    Only reasons for the screening's ``review`` findings are kept (a reason is what lets a
    prescriber proceed past one); the permission check is the caller's.
    """
    with transaction.atomic():
        locked = Screening.objects.select_for_update().get(pk=screening.pk)
        problems = signoff_problems(locked, decision, reasons)
        if problems:
            raise SignoffRefused(problems)
        kept = {
            code: reasons[code].strip()
            for code in locked.review_codes
            if (reasons.get(code) or "").strip()
        }
        locked.signed_by = user
        locked.signed_at = clock.now()
        locked.signoff_decision = decision
        locked.signoff_reasons = kept
        locked.signoff_note = note.strip()
        locked.save(
            update_fields=[
                "signed_by",
                "signed_at",
                "signoff_decision",
                "signoff_reasons",
                "signoff_note",
            ]
        )
        record_event(
            request,
            Action.SIGN,
            object_type="screening",
            object_id=locked.pk,
            patient=locked.patient,
            detail={"decision": decision, "reasons_for": sorted(kept)},
            actor=user,
        )
    return locked
