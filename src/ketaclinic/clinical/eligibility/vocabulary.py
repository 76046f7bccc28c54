"""The documented vocabulary of screening inputs: sexes, routes, settings, conditions, drugs.

Every code here is part of a stable contract (forms, API, CLI and stored screenings use it),
so codes are only ever added, never renamed. Medications are entered by generic name and
mapped to the classes the rules reason about; names we do not know are not silently dropped
but become a ``caution`` finding (see ``criteria.UnrecognisedMedication``).
"""

from __future__ import annotations

import enum
from types import MappingProxyType

from ketaclinic.clinical.vocabulary import Route, Setting, Sex

__all__ = [
    "MEDICATION_CLASSES",
    "NO_KNOWN_INTERACTION",
    "Condition",
    "MedicationClass",
    "Route",
    "Setting",
    "Sex",
    "is_recognised_medication",
    "medication_class",
]


class Condition(enum.StrEnum):
    """History and current conditions the criteria look at (codes, not free text)."""

    PSYCHOSIS_CURRENT = "psychosis_current"
    PSYCHOSIS_HISTORY = "psychosis_history"
    MANIA_CURRENT = "mania_current"
    SUBSTANCE_USE_DISORDER_ACTIVE = "substance_use_disorder_active"
    SUBSTANCE_USE_DISORDER_HISTORY = "substance_use_disorder_history"
    KETAMINE_MISUSE_HISTORY = "ketamine_misuse_history"
    ANEURYSMAL_VASCULAR_DISEASE = "aneurysmal_vascular_disease"
    ARTERIOVENOUS_MALFORMATION = "arteriovenous_malformation"
    INTRACEREBRAL_HEMORRHAGE_HISTORY = "intracerebral_hemorrhage_history"
    KETAMINE_HYPERSENSITIVITY = "ketamine_hypersensitivity"
    RAISED_INTRACRANIAL_PRESSURE = "raised_intracranial_pressure"
    RAISED_INTRAOCULAR_PRESSURE = "raised_intraocular_pressure"
    UNSTABLE_CARDIOVASCULAR_DISEASE = "unstable_cardiovascular_disease"
    SEVERE_HEPATIC_IMPAIRMENT = "severe_hepatic_impairment"
    UNTREATED_HYPERTHYROIDISM = "untreated_hyperthyroidism"
    INTERSTITIAL_CYSTITIS = "interstitial_cystitis"
    KETAMINE_UROPATHY = "ketamine_uropathy"
    HIGH_ACUTE_SUICIDE_RISK = "high_acute_suicide_risk"
    PRIOR_KETAMINE_NONRESPONSE = "prior_ketamine_nonresponse"


class MedicationClass(enum.StrEnum):
    """Drug classes with a known interaction with ketamine or esketamine."""

    MAOI = "maoi"
    PSYCHOSTIMULANT = "psychostimulant"
    BENZODIAZEPINE = "benzodiazepine"
    LAMOTRIGINE = "lamotrigine"
    OPIOID = "opioid"
    CNS_DEPRESSANT = "cns_depressant"


def _classes(**groups: tuple[str, ...]) -> MappingProxyType[str, MedicationClass]:
    table: dict[str, MedicationClass] = {}
    for class_name, names in groups.items():
        for name in names:
            table[name] = MedicationClass(class_name)
    return MappingProxyType(table)


#: Generic name (lower case) -> class. Only drugs with an interaction the rules act on are
#: listed; everything else (SSRIs, SNRIs, antihypertensives, ...) belongs in
#: ``NO_KNOWN_INTERACTION`` so it is recognised without a finding.
MEDICATION_CLASSES: MappingProxyType[str, MedicationClass] = _classes(
    maoi=(
        "phenelzine",
        "tranylcypromine",
        "isocarboxazid",
        "selegiline",
        "rasagiline",
        "safinamide",
        "moclobemide",
        "linezolid",
        "methylene blue",
    ),
    psychostimulant=(
        "amphetamine",
        "dextroamphetamine",
        "lisdexamfetamine",
        "methamphetamine",
        "methylphenidate",
        "dexmethylphenidate",
        "modafinil",
        "armodafinil",
        "solriamfetol",
    ),
    benzodiazepine=(
        "alprazolam",
        "chlordiazepoxide",
        "clobazam",
        "clonazepam",
        "clorazepate",
        "diazepam",
        "estazolam",
        "flurazepam",
        "lorazepam",
        "midazolam",
        "oxazepam",
        "temazepam",
        "triazolam",
    ),
    lamotrigine=("lamotrigine",),
    opioid=(
        "buprenorphine",
        "codeine",
        "fentanyl",
        "hydrocodone",
        "hydromorphone",
        "methadone",
        "morphine",
        "oxycodone",
        "oxymorphone",
        "tapentadol",
        "tramadol",
    ),
    cns_depressant=(
        "zolpidem",
        "zopiclone",
        "eszopiclone",
        "zaleplon",
        "gabapentin",
        "pregabalin",
        "phenobarbital",
        "butalbital",
        "sodium oxybate",
        "baclofen",
        "cyclobenzaprine",
        "carisoprodol",
        "quetiapine",
        "olanzapine",
        "mirtazapine",
        "trazodone",
        "hydroxyzine",
        "diphenhydramine",
        "promethazine",
    ),
)

#: Common co-medications recognised as having no interaction the rules act on, so they do
#: not raise the "unrecognised medication" caution.
NO_KNOWN_INTERACTION: frozenset[str] = frozenset(
    {
        "sertraline",
        "escitalopram",
        "citalopram",
        "fluoxetine",
        "paroxetine",
        "fluvoxamine",
        "venlafaxine",
        "desvenlafaxine",
        "duloxetine",
        "levomilnacipran",
        "vortioxetine",
        "vilazodone",
        "bupropion",
        "lithium",
        "aripiprazole",
        "brexpiprazole",
        "cariprazine",
        "lurasidone",
        "levothyroxine",
        "lisinopril",
        "amlodipine",
        "losartan",
        "metoprolol",
        "propranolol",
        "atorvastatin",
        "metformin",
        "omeprazole",
        "ondansetron",
        "ibuprofen",
        "paracetamol",
        "acetaminophen",
    }
)


def medication_class(name: str) -> MedicationClass | None:
    """The class of a generic drug name (case and surrounding spaces ignored), if any."""
    return MEDICATION_CLASSES.get(name.strip().lower())


def is_recognised_medication(name: str) -> bool:
    key = name.strip().lower()
    return key in MEDICATION_CLASSES or key in NO_KNOWN_INTERACTION
