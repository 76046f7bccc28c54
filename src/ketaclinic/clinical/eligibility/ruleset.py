"""The default rule set: which criteria run, in which order, with which messages.

Adding, removing or re-wording a rule here changes what prescribers see, so bump
``RULES_VERSION`` in ``screener.py`` with it. Condition messages say where sources disagree
on whether the condition is absolute; the default levels are in ``parameters.DEFAULT_LEVELS``.
"""

from __future__ import annotations

from collections.abc import Sequence

from ketaclinic.clinical.eligibility.criteria import (
    APA,
    FDA_HOME,
    LABEL,
    SWISS,
    BloodPressure,
    BodyMassIndex,
    Breastfeeding,
    ConditionCriterion,
    Criterion,
    InteractingMedication,
    MinimumAge,
    Pregnancy,
    RestingHeartRate,
    UnrecognisedMedication,
)
from ketaclinic.clinical.eligibility.home import (
    HomeBloodPressure,
    HomeResponsibleAdult,
    HomeRoute,
    HomeSubstanceUse,
)
from ketaclinic.clinical.eligibility.vocabulary import Condition, MedicationClass

__all__ = ["DEFAULT_CRITERIA"]

_ABSOLUTE_NOTE = "sources differ on whether this is absolute; the clinic may change the level."

DEFAULT_CRITERIA: Sequence[Criterion] = (
    MinimumAge(),
    ConditionCriterion(
        Condition.ANEURYSMAL_VASCULAR_DISEASE,
        "Aneurysmal vascular disease (thoracic or abdominal aorta, intracranial or peripheral "
        "arteries): contraindicated in the esketamine label because of BP rises.",
        LABEL,
    ),
    ConditionCriterion(
        Condition.ARTERIOVENOUS_MALFORMATION,
        "Arteriovenous malformation: contraindicated in the esketamine label.",
        LABEL,
    ),
    ConditionCriterion(
        Condition.INTRACEREBRAL_HEMORRHAGE_HISTORY,
        "History of intracerebral hemorrhage: contraindicated in the esketamine label; the "
        "Swiss ketamine label excludes patients for whom a BP rise is a serious danger.",
        LABEL,
    ),
    ConditionCriterion(
        Condition.KETAMINE_HYPERSENSITIVITY,
        "Hypersensitivity to ketamine or esketamine: contraindicated in both labels.",
        LABEL,
    ),
    BloodPressure(),
    RestingHeartRate(),
    ConditionCriterion(
        Condition.PSYCHOSIS_CURRENT,
        "Current psychosis: ketamine is psychotomimetic and can worsen it; the APA consensus "
        "advises against treatment during active psychosis.",
        APA,
    ),
    ConditionCriterion(
        Condition.MANIA_CURRENT,
        "Current mania or hypomania: treat the mood episode first; ketamine trials excluded it.",
        APA,
    ),
    ConditionCriterion(
        Condition.PSYCHOSIS_HISTORY,
        "History of psychosis: the APA consensus asks for careful assessment rather than "
        f"exclusion, while many programs exclude it; {_ABSOLUTE_NOTE}",
        APA,
    ),
    ConditionCriterion(
        Condition.SUBSTANCE_USE_DISORDER_ACTIVE,
        "Active substance use disorder: the esketamine label asks for careful consideration "
        "and monitoring for misuse; trials excluded it; " + _ABSOLUTE_NOTE,
        LABEL,
    ),
    ConditionCriterion(
        Condition.KETAMINE_MISUSE_HISTORY,
        "History of ketamine or PCP misuse: the highest misuse risk with this very drug; the "
        f"labels ask for careful consideration, many programs exclude; {_ABSOLUTE_NOTE}",
        LABEL,
    ),
    ConditionCriterion(
        Condition.SUBSTANCE_USE_DISORDER_HISTORY,
        "Past substance use disorder: monitor for misuse and dependence (esketamine label).",
        LABEL,
    ),
    Pregnancy(),
    Breastfeeding(),
    ConditionCriterion(
        Condition.RAISED_INTRACRANIAL_PRESSURE,
        "Raised intracranial pressure: the esketamine label says not to give where a rise in "
        "intracranial pressure is a serious risk; the Swiss ketamine label asks for special "
        f"caution; {_ABSOLUTE_NOTE}",
        LABEL,
    ),
    ConditionCriterion(
        Condition.RAISED_INTRAOCULAR_PRESSURE,
        "Raised intraocular pressure or glaucoma: ketamine can raise it; special caution in the "
        "Swiss ketamine label. Ophthalmology input advised.",
        SWISS,
    ),
    ConditionCriterion(
        Condition.UNSTABLE_CARDIOVASCULAR_DISEASE,
        "Unstable cardiovascular disease (e.g. unstable angina, infarction within six months, "
        "decompensated failure): the labels ask for special caution and close monitoring "
        f"rather than forbidding it; {_ABSOLUTE_NOTE}",
        SWISS,
    ),
    ConditionCriterion(
        Condition.RECENT_MYOCARDIAL_INFARCTION,
        "Myocardial infarction within the last six months: the Swiss ketamine label asks for "
        "special caution (ketamine raises BP, heart rate and myocardial oxygen demand); "
        "cardiology input and close monitoring, even when the patient is now stable.",
        SWISS,
    ),
    ConditionCriterion(
        Condition.SEVERE_HEPATIC_IMPAIRMENT,
        "Severe hepatic impairment (Child-Pugh C): no clinical experience with esketamine; "
        "longer monitoring may be needed.",
        LABEL,
    ),
    ConditionCriterion(
        Condition.UNTREATED_HYPERTHYROIDISM,
        "Untreated or insufficiently treated hyperthyroidism: contraindicated in the Swiss "
        "ketamine label.",
        SWISS,
    ),
    ConditionCriterion(
        Condition.INTERSTITIAL_CYSTITIS,
        "Interstitial cystitis: ketamine causes lower urinary tract symptoms and cystitis; "
        "monitor urinary symptoms (esketamine label).",
        LABEL,
    ),
    ConditionCriterion(
        Condition.KETAMINE_UROPATHY,
        "Ketamine uropathy: further ketamine exposure worsens bladder injury (FDA 2023 lists "
        f"lower urinary tract symptoms among known risks); {_ABSOLUTE_NOTE}",
        FDA_HOME,
    ),
    ConditionCriterion(
        Condition.HIGH_ACUTE_SUICIDE_RISK,
        "High acute suicide risk: needs a higher level of care (emergency or inpatient "
        "assessment) first; esketamine is not a substitute for hospitalization. Clinics with "
        f"hospital-level supervision may set this to review; {_ABSOLUTE_NOTE}",
        LABEL,
    ),
    ConditionCriterion(
        Condition.PRIOR_KETAMINE_NONRESPONSE,
        "No response to an adequate prior ketamine course: set expectations and a stopping "
        "rule before repeating.",
        APA,
    ),
    BodyMassIndex(),
    InteractingMedication(
        MedicationClass.MAOI,
        "may raise blood pressure with esketamine/ketamine; monitor BP closely.",
        LABEL,
    ),
    InteractingMedication(
        MedicationClass.PSYCHOSTIMULANT,
        "may raise blood pressure with esketamine/ketamine; monitor BP closely.",
        LABEL,
    ),
    InteractingMedication(
        MedicationClass.BENZODIAZEPINE,
        "may blunt the antidepressant response (higher doses) and adds sedation.",
        "screen.andrashko-2020-benzodiazepines",
    ),
    InteractingMedication(
        MedicationClass.LAMOTRIGINE,
        "may attenuate ketamine's effects; its effect on the antidepressant response is unknown.",
        "screen.andrade-2017-interactions",
    ),
    InteractingMedication(
        MedicationClass.OPIOID,
        "CNS depressant: adds sedation and respiratory depression; monitor closely.",
        LABEL,
    ),
    InteractingMedication(
        MedicationClass.CNS_DEPRESSANT,
        "CNS depressant: adds sedation; monitor closely.",
        LABEL,
    ),
    InteractingMedication(
        MedicationClass.METHYLXANTHINE,
        "may lower the seizure threshold with ketamine/esketamine (seizures reported; the UK "
        "esketamine labelling advises avoiding the combination).",
        "screen.ukcpa-theophylline",
    ),
    UnrecognisedMedication(),
    HomeRoute(),
    HomeSubstanceUse(),
    HomeResponsibleAdult(),
    HomeBloodPressure(),
)
