"""The billing codes a session implies: services, units, and the ICD-10-CM code of a course.

Two steps, so a clinic can change the codes without changing the rules:

1. ``services_for(SessionFacts)`` says what was done, in units: an esketamine visit, an IV
   infusion's first hour and each additional hour, an IM injection, a psychotherapy session
   of a length band, an office visit. The rules (time bands, the 56 mg line, per-mg units)
   come from the code sets' own definitions, cited per ``Service``.
2. ``code_lines(services, mapping)`` turns each service into a billing code: the default
   table ``DEFAULT_CODES`` (HCPCS and CPT, each with its source), or the clinic's own code
   for a service where it set one.

Medicare pays esketamine as a bundled visit (G2082 up to 56 mg, G2083 above, drug and the
2-hour observation included); other payers and self-pay patients get the drug per mg
(J0013, which replaced S0013 on 1 January 2026) with an office visit. Nothing here sends a
claim: these are the lines of a superbill or of a file for an outside billing system.

CPT codes are the AMA's: only the code and a short paraphrase of its descriptor are kept.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from ketaclinic.clinical.exceptions import InvalidValue, MissingItem, UnknownCode
from ketaclinic.clinical.vocabulary import Route

__all__ = [
    "DEFAULT_CODES",
    "ESKETAMINE_BUNDLE_LINE_MG",
    "ICD10_OF_INDICATION",
    "PLACE_OF_SERVICE_OFFICE",
    "BillingCode",
    "CodeLine",
    "PayerKind",
    "Service",
    "ServiceLine",
    "SessionFacts",
    "SessionKind",
    "code_lines",
    "diagnosis_codes",
    "infusion_units",
    "psychotherapy_service",
    "services_for",
]

PLACE_OF_SERVICE_OFFICE = "11"
"""CMS place-of-service code for an office (``cms_place_of_service``)."""

ESKETAMINE_BUNDLE_LINE_MG = Decimal("56")
"""G2082 is "up to 56 mg", G2083 "greater than 56 mg" (``cms_pfs_2020_esketamine``)."""

PUSH_MAX_MINUTES = 15
FIRST_HOUR_MAX_MINUTES = 90
ADDITIONAL_HOUR_MINUTES = 60
PSYCHOTHERAPY_BANDS = ((53, "psychotherapy_60"), (38, "psychotherapy_45"), (16, "psychotherapy_30"))


class PayerKind(enum.StrEnum):
    """Who pays: it decides how esketamine is coded."""

    MEDICARE = "medicare"
    MEDICAID = "medicaid"
    COMMERCIAL = "commercial"
    SELF_PAY = "self_pay"


class SessionKind(enum.StrEnum):
    """The kinds of session a course has (``treatment.SessionKind`` codes)."""

    DOSING = "dosing"
    PREPARATION = "preparation"
    INTEGRATION = "integration"
    REVIEW = "review"


class Service(enum.StrEnum):
    """What was done, independent of the code a payer wants for it."""

    ESKETAMINE_VISIT_UP_TO_56MG = "esketamine_visit_up_to_56mg"
    ESKETAMINE_VISIT_OVER_56MG = "esketamine_visit_over_56mg"
    ESKETAMINE_PER_MG = "esketamine_per_mg"
    IV_INFUSION_FIRST_HOUR = "iv_infusion_first_hour"
    IV_INFUSION_ADDITIONAL_HOUR = "iv_infusion_additional_hour"
    IV_PUSH = "iv_push"
    IM_INJECTION = "im_injection"
    KETAMINE_UNCLASSIFIED_DRUG = "ketamine_unclassified_drug"
    PSYCHOTHERAPY_30 = "psychotherapy_30"
    PSYCHOTHERAPY_45 = "psychotherapy_45"
    PSYCHOTHERAPY_60 = "psychotherapy_60"
    OFFICE_VISIT_ESTABLISHED = "office_visit_established"


@dataclass(frozen=True)
class BillingCode:
    """A code of a code set: ``system`` is ``HCPCS`` (Level II) or ``CPT``."""

    code: str
    system: str
    description: str
    unit: str
    source: str


DEFAULT_CODES: dict[Service, BillingCode] = {
    Service.ESKETAMINE_VISIT_UP_TO_56MG: BillingCode(
        "G2082",
        "HCPCS",
        "Visit, established patient, supervised esketamine nasal self-administration up to "
        "56 mg, 2 hours' observation included",
        "session",
        "cms_pfs_2020_esketamine",
    ),
    Service.ESKETAMINE_VISIT_OVER_56MG: BillingCode(
        "G2083",
        "HCPCS",
        "Visit, established patient, supervised esketamine nasal self-administration over "
        "56 mg, 2 hours' observation included",
        "session",
        "cms_pfs_2020_esketamine",
    ),
    Service.ESKETAMINE_PER_MG: BillingCode(
        "J0013", "HCPCS", "Esketamine, nasal spray, 1 mg", "1 mg", "cms_hcpcs_2026"
    ),
    Service.IV_INFUSION_FIRST_HOUR: BillingCode(
        "96365",
        "CPT",
        "IV infusion, therapy, initial, up to 1 hour",
        "first hour",
        "ama_cpt_2026_infusion",
    ),
    Service.IV_INFUSION_ADDITIONAL_HOUR: BillingCode(
        "96366",
        "CPT",
        "IV infusion, therapy, each additional hour",
        "hour",
        "ama_cpt_2026_infusion",
    ),
    Service.IV_PUSH: BillingCode(
        "96374", "CPT", "IV push, single or initial drug", "push", "ama_cpt_2026_infusion"
    ),
    Service.IM_INJECTION: BillingCode(
        "96372",
        "CPT",
        "Therapeutic injection, subcutaneous or intramuscular",
        "injection",
        "ama_cpt_2026_infusion",
    ),
    Service.KETAMINE_UNCLASSIFIED_DRUG: BillingCode(
        "J3490",
        "HCPCS",
        "Unclassified drugs (ketamine hydrochloride; NDC and dose in notes)",
        "dose",
        "cms_hcpcs_2026",
    ),
    Service.PSYCHOTHERAPY_30: BillingCode(
        "90832",
        "CPT",
        "Psychotherapy, 30 minutes (16-37)",
        "session",
        "ama_cpt_2026_psychotherapy",
    ),
    Service.PSYCHOTHERAPY_45: BillingCode(
        "90834",
        "CPT",
        "Psychotherapy, 45 minutes (38-52)",
        "session",
        "ama_cpt_2026_psychotherapy",
    ),
    Service.PSYCHOTHERAPY_60: BillingCode(
        "90837",
        "CPT",
        "Psychotherapy, 60 minutes (53 or more)",
        "session",
        "ama_cpt_2026_psychotherapy",
    ),
    Service.OFFICE_VISIT_ESTABLISHED: BillingCode(
        "99213",
        "CPT",
        "Office visit, established patient (low complexity or 20+ min)",
        "visit",
        "ama_cpt_2026_em",
    ),
}

# The course's indication (``clinical.outcomes.Indication`` codes) as ICD-10-CM codes, the
# first the primary diagnosis (``icd10cm_fy2026``). "other" has none: the chart must say.
ICD10_OF_INDICATION: dict[str, tuple[tuple[str, str], ...]] = {
    "trd": (("F33.2", "Major depressive disorder, recurrent severe without psychotic features"),),
    "mdd_suicidal_ideation": (
        ("F32.2", "Major depressive disorder, single episode, severe without psychotic features"),
        ("R45.851", "Suicidal ideations"),
    ),
    "ptsd": (("F43.12", "Post-traumatic stress disorder, chronic"),),
    "anxiety": (("F41.9", "Anxiety disorder, unspecified"),),
    "ocd": (("F42.2", "Mixed obsessional thoughts and acts"),),
    "bipolar_depression": (
        (
            "F31.4",
            "Bipolar disorder, current episode depressed, severe, without psychotic features",
        ),
    ),
    "chronic_pain": (("G89.29", "Other chronic pain"),),
    "substance_use_disorder": (
        ("F19.20", "Other psychoactive substance dependence, uncomplicated"),
    ),
}


@dataclass(frozen=True)
class SessionFacts:
    """What the chart says about one delivered session, as billing needs it.

    ``dose_mg``: the dose given (esketamine: the devices' total). ``drug_minutes``: how long
    the IV drug ran. ``face_to_face_minutes``: a psychotherapy session's length.
    """

    route: Route
    kind: SessionKind
    payer: PayerKind
    dose_mg: Decimal | None = None
    drug_minutes: int | None = None
    face_to_face_minutes: int | None = None


@dataclass(frozen=True)
class ServiceLine:
    service: Service
    units: int


@dataclass(frozen=True)
class CodeLine:
    """One line of a superbill: a service, its code (the clinic's or the default), units."""

    service: Service
    code: str
    system: str
    description: str
    units: int
    source: str


def infusion_units(drug_minutes: int) -> tuple[ServiceLine, ...]:
    """An IV drug's running time as CPT units (``ama_cpt_2026_infusion``).

    15 minutes or less is a push (96374); up to 90 minutes the first hour (96365) alone;
    each additional hour (96366) counts once more than 30 minutes of it have run, so
    91-150 minutes is one, 151-210 two.
    """
    if drug_minutes <= 0:
        raise InvalidValue("drug_minutes", f"an infusion runs for some minutes, not {drug_minutes}")
    if drug_minutes <= PUSH_MAX_MINUTES:
        return (ServiceLine(Service.IV_PUSH, 1),)
    lines = [ServiceLine(Service.IV_INFUSION_FIRST_HOUR, 1)]
    if drug_minutes > FIRST_HOUR_MAX_MINUTES:
        extra = (drug_minutes - FIRST_HOUR_MAX_MINUTES - 1) // ADDITIONAL_HOUR_MINUTES + 1
        lines.append(ServiceLine(Service.IV_INFUSION_ADDITIONAL_HOUR, extra))
    return tuple(lines)


def psychotherapy_service(minutes: int) -> Service | None:
    """The psychotherapy code band for ``minutes`` face to face; None under 16 minutes."""
    for floor, service in PSYCHOTHERAPY_BANDS:
        if minutes >= floor:
            return Service(service)
    return None


def _whole_mg(dose_mg: Decimal) -> int:
    if dose_mg <= 0 or dose_mg != dose_mg.to_integral_value():
        raise InvalidValue("dose_mg", f"J0013 is billed per whole mg; {dose_mg} mg is not")
    return int(dose_mg)


def _esketamine(facts: SessionFacts) -> tuple[ServiceLine, ...]:
    if facts.dose_mg is None:
        raise MissingItem("dose_mg", "an esketamine session's dose is needed to code it")
    if facts.payer is PayerKind.MEDICARE:
        over = facts.dose_mg > ESKETAMINE_BUNDLE_LINE_MG
        visit = Service.ESKETAMINE_VISIT_OVER_56MG if over else Service.ESKETAMINE_VISIT_UP_TO_56MG
        return (ServiceLine(visit, 1),)
    return (
        ServiceLine(Service.OFFICE_VISIT_ESTABLISHED, 1),
        ServiceLine(Service.ESKETAMINE_PER_MG, _whole_mg(facts.dose_mg)),
    )


def _dosing(facts: SessionFacts) -> tuple[ServiceLine, ...]:
    if facts.route is Route.ESKETAMINE:
        return _esketamine(facts)
    drug = ServiceLine(Service.KETAMINE_UNCLASSIFIED_DRUG, 1)
    if facts.route is Route.IV:
        if facts.drug_minutes is None:
            raise MissingItem("drug_minutes", "the infusion's running time is needed to code it")
        return (*infusion_units(facts.drug_minutes), drug)
    if facts.route is Route.IM:
        return (ServiceLine(Service.IM_INJECTION, 1), drug)
    return (ServiceLine(Service.OFFICE_VISIT_ESTABLISHED, 1),)


def services_for(facts: SessionFacts) -> tuple[ServiceLine, ...]:
    """The services one delivered session implies, with units; empty if none is billable."""
    if facts.kind is SessionKind.DOSING:
        return _dosing(facts)
    if facts.kind is SessionKind.REVIEW:
        return (ServiceLine(Service.OFFICE_VISIT_ESTABLISHED, 1),)
    if facts.face_to_face_minutes is None:
        raise MissingItem("face_to_face_minutes", "a psychotherapy session's length is needed")
    service = psychotherapy_service(facts.face_to_face_minutes)
    return () if service is None else (ServiceLine(service, 1),)


def code_lines(
    services: tuple[ServiceLine, ...], mapping: Mapping[str, str] | None = None
) -> tuple[CodeLine, ...]:
    """Each service as a code: the clinic's code from ``mapping`` (service -> code) where it
    set one, the default otherwise. A mapping key that is not a service is refused."""
    mapping = mapping or {}
    unknown = sorted(set(mapping) - set(Service))
    if unknown:
        raise UnknownCode("mapping", f"not a billing service: {', '.join(unknown)}")
    lines = []
    for line in services:
        default = DEFAULT_CODES[line.service]
        code = mapping.get(line.service, "").strip() or default.code
        lines.append(
            CodeLine(
                line.service,
                code,
                default.system if code == default.code else "clinic",
                default.description,
                line.units,
                default.source if code == default.code else "",
            )
        )
    return tuple(lines)


def diagnosis_codes(indication: str) -> tuple[tuple[str, str], ...]:
    """The ICD-10-CM codes (code, title) of a course's indication, primary first."""
    if indication == "other" or not indication:
        raise MissingItem(
            "indication", "no ICD-10-CM code for this indication: record the diagnosis"
        )
    try:
        return ICD10_OF_INDICATION[indication]
    except KeyError:
        raise UnknownCode("indication", f"not an indication: {indication!r}") from None
