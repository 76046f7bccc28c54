"""From the chart to billing lines: each delivered session's codes, units, fees, diagnosis,
rendering provider and payer, for a superbill (a patient's receipt to claim from their
insurer) and the claims file (CMS-1500 fields for an outside billing system).

Nothing is sent to a payer from here: no claim leaves Ketaclinic electronically.

What counts as delivered: a dosing session discharged with its dose charted; a
preparation or integration session with the therapist's note or checked in; a review
checked in. The payer is the approved authorization covering the session's date, else the
patient pays themselves. A session the rules cannot code (an infusion without its stop
time) is listed with the reason, never silently dropped.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from ketaclinic.apps.accounts.scoping import at_sites
from ketaclinic.apps.billing.authorizations import GIVEN_STATUSES
from ketaclinic.apps.billing.choices import AuthorizationStatus, PayerKind
from ketaclinic.apps.billing.models import (
    BillingProfile,
    CodeMapping,
    FeeScheduleEntry,
    PriorAuthorization,
)
from ketaclinic.apps.patients.choices import ICD10CM
from ketaclinic.apps.treatment.choices import INDICATION_OF_CONDITION, SessionKind, SessionStatus
from ketaclinic.apps.treatment.models import Session
from ketaclinic.clinical import billing_codes as core
from ketaclinic.clinical.exceptions import InputError
from ketaclinic.clinical.vocabulary import Route

NO_CLAIMS_SENT = (
    "Ketaclinic does not send claims electronically. This superbill lists the services, "
    "codes and fees for the patient or an outside billing service to submit."
)
PSYCHOTHERAPY = (SessionKind.PREPARATION, SessionKind.INTEGRATION)


@dataclass(frozen=True)
class BillLine:
    """One code on one date of service (a CMS-1500 item 24 line)."""

    session: Session
    served_on: dt.date
    code: core.CodeLine
    fee_per_unit: Decimal | None
    diagnoses: tuple[tuple[str, str], ...]
    provider_name: str
    provider_npi: str
    place_of_service: str
    payer_kind: str
    payer_name: str
    member_number: str
    authorization_number: str

    @property
    def charge(self) -> Decimal | None:
        return None if self.fee_per_unit is None else self.fee_per_unit * self.code.units


@dataclass(frozen=True)
class Unbillable:
    session: Session
    served_on: dt.date
    reason: str


@dataclass
class Bill:
    lines: list[BillLine] = field(default_factory=list)
    unbillable: list[Unbillable] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.charge or Decimal("0") for line in self.lines), Decimal("0"))

    @property
    def unpriced(self) -> list[BillLine]:
        return [line for line in self.lines if line.fee_per_unit is None]

    @property
    def diagnoses(self) -> list[tuple[str, str]]:
        return list(dict.fromkeys(d for line in self.lines for d in line.diagnoses))


def course_diagnoses(course: Any, conditions: Iterable[Any]) -> tuple[tuple[str, str], ...]:
    """ICD-10-CM codes of a course: the patient's primary condition when it is this course's
    indication (more specific: GAD F41.1 for "anxiety"), else the indication's own codes."""
    for condition in conditions:
        if condition.primary and INDICATION_OF_CONDITION.get(condition.code) == course.indication:
            return (ICD10CM[condition.code],)
    return core.diagnosis_codes(course.indication)


def session_facts(session: Session, payer: str) -> core.SessionFacts:
    """What billing needs from one session's chart."""
    administration = getattr(session, "administration", None)
    dose = drug_minutes = None
    if administration is not None:
        dose = administration.dose_given_mg
        if administration.elapsed_min is not None:
            drug_minutes = math.floor(administration.elapsed_min)
        elif administration.stopped_at is not None:
            seconds = (administration.stopped_at - administration.started_at).total_seconds()
            drug_minutes = int(seconds // 60)
    minutes = None
    if session.kind in PSYCHOTHERAPY:
        minutes = session.planned_minutes
    return core.SessionFacts(
        route=Route(session.course.route),
        kind=core.SessionKind(session.kind),
        payer=core.PayerKind(payer),
        dose_mg=dose,
        drug_minutes=drug_minutes,
        face_to_face_minutes=minutes,
    )


def delivered(session: Session) -> bool:
    if session.kind == SessionKind.DOSING:
        return session.status == SessionStatus.DISCHARGED
    if session.kind in PSYCHOTHERAPY and getattr(session, "kap_note", None) is not None:
        return True
    return session.status in GIVEN_STATUSES


def _rendering_provider(session: Session) -> Any:
    note = getattr(session, "kap_note", None)
    if session.kind in PSYCHOTHERAPY and note is not None:
        return note.integration_note.author
    return session.course.prescriber


def _covering(authorizations: Iterable[PriorAuthorization], day: dt.date):
    for authorization in authorizations:
        if (
            authorization.status in (AuthorizationStatus.APPROVED, AuthorizationStatus.EXPIRED)
            and authorization.starts_on <= day <= authorization.ends_on
        ):
            return authorization
    return None


def billable_sessions(sessions: QuerySet[Session]) -> QuerySet[Session]:
    """Sessions with everything billing reads, in a fixed number of queries."""
    return (
        sessions.exclude(status__in=(SessionStatus.CANCELLED, SessionStatus.NO_SHOW))
        .select_related(
            "site__billing_profile",
            "patient",
            "course__prescriber",
            "administration",
            "kap_note__integration_note__author",
        )
        .prefetch_related("course__authorizations", "patient__conditions")
        .order_by("planned_start", "id")
    )


def _site_tables(site_ids: set[int]) -> tuple[dict, dict]:
    fees: dict[int, dict[str, Decimal]] = {}
    for fee in at_sites(FeeScheduleEntry, site_ids):
        fees.setdefault(fee.site_id, {})[fee.code] = fee.fee_per_unit
    mappings: dict[int, dict[str, str]] = {}
    for mapping in at_sites(CodeMapping, site_ids):
        mappings.setdefault(mapping.site_id, {})[mapping.service] = mapping.code
    return fees, mappings


def bill(sessions: QuerySet[Session]) -> Bill:
    """The billing lines of these sessions (those delivered), from the chart."""
    rows = [s for s in billable_sessions(sessions) if delivered(s)]
    fees, mappings = _site_tables({s.site_id for s in rows})
    result = Bill()
    for session in rows:
        served_on = session.planned_start.astimezone(ZoneInfo(session.site.timezone)).date()
        authorization = _covering(session.course.authorizations.all(), served_on)
        payer = authorization.payer_kind if authorization else PayerKind.SELF_PAY
        try:
            diagnoses = course_diagnoses(session.course, session.patient.conditions.all())
            services = core.services_for(session_facts(session, payer))
            codes = core.code_lines(services, mappings.get(session.site_id))
        except InputError as error:
            result.unbillable.append(Unbillable(session, served_on, error.message))
            continue
        try:
            profile = session.site.billing_profile
        except BillingProfile.DoesNotExist:
            profile = None
        provider = _rendering_provider(session)
        for code in codes:
            result.lines.append(
                BillLine(
                    session=session,
                    served_on=served_on,
                    code=code,
                    fee_per_unit=fees.get(session.site_id, {}).get(code.code),
                    diagnoses=diagnoses,
                    provider_name=provider.display_name,
                    provider_npi=provider.npi,
                    place_of_service=profile.place_of_service
                    if profile
                    else core.PLACE_OF_SERVICE_OFFICE,
                    payer_kind=payer,
                    payer_name=authorization.payer_name if authorization else "",
                    member_number=authorization.member_number if authorization else "",
                    authorization_number=authorization.authorization_number
                    if authorization
                    else "",
                )
            )
    return result


def local_range(site: Any, start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The site's local midnight of ``start`` and of the day after ``end``."""
    zone = ZoneInfo(site.timezone)
    return (
        dt.datetime.combine(start, dt.time(), zone),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), zone),
    )


# CMS-1500 (02/12) item numbers and names, the columns an outside billing system maps.
CLAIM_COLUMNS = (
    "1_insurance_type",
    "1a_insured_id_number",
    "2_patient_name",
    "3_patient_birth_date",
    "3_patient_sex",
    "5_patient_address",
    "21_icd_indicator",
    "21A_diagnosis",
    "21B_diagnosis",
    "23_prior_authorization_number",
    "24A_date_of_service_from",
    "24A_date_of_service_to",
    "24B_place_of_service",
    "24D_procedure_code",
    "24E_diagnosis_pointer",
    "24F_charges",
    "24G_days_or_units",
    "24J_rendering_provider_npi",
    "25_federal_tax_id",
    "26_patient_account_no",
    "31_rendering_provider_name",
    "32_service_facility",
    "33_billing_provider",
    "33a_billing_provider_npi",
)
INSURANCE_TYPE = {
    PayerKind.MEDICARE: "Medicare",
    PayerKind.MEDICAID: "Medicaid",
    PayerKind.COMMERCIAL: "Group Health Plan",
    PayerKind.SELF_PAY: "Self-pay",
}


def claim_rows(lines: Iterable[BillLine]) -> Iterator[list[Any]]:
    """One CSV row per line, in ``CLAIM_COLUMNS`` order (money as plain decimals)."""
    for line in lines:
        patient = line.session.patient
        site = line.session.site
        try:
            profile = site.billing_profile
        except BillingProfile.DoesNotExist:
            profile = None
        codes = [code for code, _title in line.diagnoses]
        charge = line.charge
        yield [
            INSURANCE_TYPE[PayerKind(line.payer_kind)],
            line.member_number,
            f"{patient.family_name}, {patient.given_name}",
            patient.date_of_birth.isoformat(),
            {"female": "F", "male": "M"}.get(patient.sex_at_birth, ""),
            patient.address.replace("\n", ", "),
            "0",  # 0 = ICD-10-CM
            codes[0] if codes else "",
            codes[1] if len(codes) > 1 else "",
            line.authorization_number,
            line.served_on.isoformat(),
            line.served_on.isoformat(),
            line.place_of_service,
            line.code.code,
            "AB"[: len(codes)] or "A",
            "" if charge is None else f"{charge:.2f}",
            line.code.units,
            line.provider_npi,
            profile.tax_id if profile else "",
            patient.mrn,
            line.provider_name,
            site.name,
            profile.billing_name if profile else site.name,
            profile.npi if profile else "",
        ]
