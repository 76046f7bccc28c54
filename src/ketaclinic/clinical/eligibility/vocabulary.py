"""The documented vocabulary of screening inputs: sexes, routes, settings, conditions, drugs.

Every code here is part of a stable contract (forms, API, CLI and stored screenings use it),
so codes are only ever added, never renamed. Medications are entered as people write them
(brand or generic, with strength and frequency); ``medication_names`` reduces each to its
generic ingredient(s), which are mapped to the classes the rules reason about; names we do not
know are not silently dropped but become a ``caution`` finding (see
``criteria.UnrecognisedMedication``).
"""

from __future__ import annotations

import enum
from types import MappingProxyType

from ketaclinic.clinical.eligibility.medication_names import generic_names
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
    "medication_classes",
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
    RECENT_MYOCARDIAL_INFARCTION = "recent_myocardial_infarction"


class MedicationClass(enum.StrEnum):
    """Drug classes with a known interaction with ketamine or esketamine."""

    MAOI = "maoi"
    PSYCHOSTIMULANT = "psychostimulant"
    BENZODIAZEPINE = "benzodiazepine"
    LAMOTRIGINE = "lamotrigine"
    OPIOID = "opioid"
    CNS_DEPRESSANT = "cns_depressant"
    METHYLXANTHINE = "methylxanthine"


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
    methylxanthine=("theophylline", "aminophylline"),
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
        "naloxone",
    }
)


def medication_classes(name: str) -> frozenset[MedicationClass]:
    """The classes of the drug ``name`` names (brand or generic, strength and form ignored)."""
    return frozenset(
        MEDICATION_CLASSES[generic]
        for generic in generic_names(name)
        if generic in MEDICATION_CLASSES
    )


def medication_class(name: str) -> MedicationClass | None:
    """The class of a single-ingredient drug name, if any (see ``medication_classes``)."""
    classes = medication_classes(name)
    return next(iter(classes)) if len(classes) == 1 else None


def is_recognised_medication(name: str) -> bool:
    """Every ingredient ``name`` stands for is in the vocabulary."""
    return all(
        generic in MEDICATION_CLASSES or generic in NO_KNOWN_INTERACTION
        for generic in generic_names(name)
    )
