"""Code systems and codes used on exported resources, each with where it was checked.

A wrong code on an exported resource is worse than none: where no verified standard code
exists (CADSS, MOAA/S, MADRS, QIDS-SR16, PCL-5, the 0-10 ratings) the local code system
``LOCAL_SCALES`` carries the instrument's own id, and the docs (docs/fhir.md) say so.

Sources:
- LOINC vital signs: the FHIR R4 Vital Signs profile (hl7.org/fhir/R4/observation-vitalsigns),
  which names 85354-9 (BP panel) with 8480-6 / 8462-4, 8867-4, 59408-5 + 2708-6, 9279-1,
  29463-7 and 8302-2.
- Scale totals and panels: the clinical core's ``Instrument.loinc_total`` / ``loinc_panel``
  (cited in ``clinical/sources.py``: PHQ-9 44261-6 / 44249-1, GAD-7 70274-6 / 69737-5,
  C-SSRS screener 93373-9, AUDIT 75624-7, pain NRS 72514-3).
- PHQ-9 and GAD-7 item codes and their LOINC answers (LA6568-5 .. LA6571-9):
  LOINC panels 44249-1 and 69737-5 as published in the LOINC PHQ/GAD forms.
- RxNorm: ketamine ingredient 6130; esketamine nasal spray (SCDF) 2201623 (NLM RxNorm).
- SNOMED CT routes: the FHIR R4 SNOMEDCTRouteCodes value set.
"""

from __future__ import annotations

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
SNOMED = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
NDC = "http://hl7.org/fhir/sid/ndc"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"
LOCATION_TYPE = "http://terminology.hl7.org/CodeSystem/location-physical-type"
AE_SEVERITY = "http://terminology.hl7.org/CodeSystem/adverse-event-severity"
US_CORE_BIRTHSEX = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"

LOCAL = "https://ketaclinic.org/fhir"
"""Ketaclinic's own namespace: code systems and identifiers no standard covers."""
LOCAL_SCALES = f"{LOCAL}/CodeSystem/scale"
"""Instrument totals without a verified LOINC code: ``<instrument id>-total``."""
LOCAL_SCALE_BANDS = f"{LOCAL}/CodeSystem/scale-band"
LOCAL_ANSWERS = f"{LOCAL}/CodeSystem/answer-value"
LOCAL_ADVERSE_EVENTS = f"{LOCAL}/CodeSystem/adverse-event-kind"
LOCAL_SESSION_KIND = f"{LOCAL}/CodeSystem/session-kind"
MRN_SYSTEM = f"{LOCAL}/sid/mrn"
STAFF_SYSTEM = f"{LOCAL}/sid/staff"
QUESTIONNAIRE_BASE = f"{LOCAL}/Questionnaire"

# Vital signs (FHIR R4 Vital Signs profile).
BP_PANEL = ("85354-9", "Blood pressure panel with all children optional")
BP_SYSTOLIC = ("8480-6", "Systolic blood pressure")
BP_DIASTOLIC = ("8462-4", "Diastolic blood pressure")
HEART_RATE = ("8867-4", "Heart rate")
SPO2 = ("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry")
SPO2_GENERIC = ("2708-6", "Oxygen saturation in Arterial blood")
RESPIRATORY_RATE = ("9279-1", "Respiratory rate")
BODY_WEIGHT = ("29463-7", "Body weight")
BODY_HEIGHT = ("8302-2", "Body height")

# Item codes of the LOINC PHQ-9 (44249-1) and GAD-7 (69737-5) panels, by our item keys.
ITEM_LOINC: dict[str, dict[str, str]] = {
    "phq9": {
        "item1": "44250-9",
        "item2": "44255-8",
        "item3": "44259-0",
        "item4": "44254-1",
        "item5": "44251-7",
        "item6": "44258-2",
        "item7": "44252-5",
        "item8": "44253-3",
        "item9": "44260-8",
        "item10": "69722-7",
    },
    "gad7": {
        "item1": "69725-0",
        "item2": "68509-9",
        "item3": "69733-4",
        "item4": "69734-2",
        "item5": "69735-9",
        "item6": "69689-8",
        "item7": "69736-7",
    },
}

# LOINC answers for frequency over the last two weeks, shared by PHQ-9 items 1-9
# and GAD-7 items 1-7, by the value scored.
FREQUENCY_ANSWERS: dict[int, tuple[str, str]] = {
    0: ("LA6568-5", "Not at all"),
    1: ("LA6569-3", "Several days"),
    2: ("LA6570-1", "More than half the days"),
    3: ("LA6571-9", "Nearly every day"),
}
FREQUENCY_ITEMS: dict[str, frozenset[str]] = {
    "phq9": frozenset(f"item{n}" for n in range(1, 10)),
    "gad7": frozenset(f"item{n}" for n in range(1, 8)),
}

# RxNorm: the ingredient for racemic ketamine, the clinical drug form for esketamine.
RXNORM_DRUG: dict[str, tuple[str, str]] = {
    "ketamine": ("6130", "ketamine"),
    "esketamine": ("2201623", "esketamine Nasal Spray"),
}

# SNOMED CT route of administration (FHIR R4 SNOMEDCTRouteCodes).
ROUTE_SNOMED: dict[str, tuple[str, str]] = {
    "iv": ("47625008", "Intravenous route"),
    "im": ("78421000", "Intramuscular route"),
    "esketamine": ("46713006", "Nasal route"),
    "intranasal": ("46713006", "Nasal route"),
    "sublingual": ("37839007", "Sublingual route"),
    "oral": ("26643006", "Oral route"),
}


def coding(system: str, code: str, display: str = "") -> dict:
    out = {"system": system, "code": code}
    if display:
        out["display"] = display
    return out


def loinc(pair: tuple[str, str]) -> dict:
    return coding(LOINC, pair[0], pair[1])


def fhir_id(value: str) -> str:
    """Our ids as FHIR ids ([A-Za-z0-9-.]{1,64}): ``qids_sr16`` becomes ``qids-sr16``."""
    return value.replace("_", "-")
