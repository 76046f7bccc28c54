"""The screening criteria: small objects with stable codes, each reporting its findings.

STYLE.md habit 2: a criterion looks at one thing and returns zero or more ``Finding``s with a
machine code, a level (from ``ScreeningParameters.level_for``, so a clinic can move the split),
a message a prescriber can act on, and the key of its source. The screener runs all of them;
nothing short-circuits, so every reason is in view at once.

Where sources disagree on whether something is absolute, the message says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ketaclinic.clinical.eligibility.findings import Finding
from ketaclinic.clinical.eligibility.inputs import ScreeningInput
from ketaclinic.clinical.eligibility.parameters import ScreeningParameters
from ketaclinic.clinical.eligibility.vocabulary import Condition, MedicationClass

__all__ = [
    "APA",
    "ASKP3",
    "CONVENTION",
    "FDA_HOME",
    "LABEL",
    "SWISS",
    "BloodPressure",
    "BodyMassIndex",
    "Breastfeeding",
    "ConditionCriterion",
    "Criterion",
    "Findings",
    "InteractingMedication",
    "MinimumAge",
    "Pregnancy",
    "RestingHeartRate",
    "UnrecognisedMedication",
    "make_finding",
]

LABEL = "screen.spravato-label"
SWISS = "screen.swiss-ketamine-label"
APA = "screen.sanacora-2017"
FDA_HOME = "screen.fda-2023-compounded-ketamine"
ASKP3 = "screen.askp3-2020"
CONVENTION = "screen.ketaclinic-convention"

Findings = tuple[Finding, ...]


class Criterion(Protocol):
    """Anything with a stable ``code`` that turns one patient into findings."""

    @property
    def code(self) -> str:
        """The machine code of every finding this criterion reports (read-only)."""
        ...  # pragma: no cover - protocol

    def evaluate(self, patient: ScreeningInput, parameters: ScreeningParameters) -> Findings:
        """Findings for this patient; empty when the criterion has nothing to say."""
        ...  # pragma: no cover - protocol


def make_finding(code: str, parameters: ScreeningParameters, message: str, source: str) -> Finding:
    return Finding(code=code, level=parameters.level_for(code), message=message, source=source)


@dataclass(frozen=True, slots=True)
class ConditionCriterion:
    """A documented condition code that produces one finding when present."""

    condition: Condition
    message: str
    source: str

    @property
    def code(self) -> str:
        return self.condition.value

    def evaluate(self, patient: ScreeningInput, parameters: ScreeningParameters) -> Findings:
        if not patient.has(self.condition):
            return ()
        return (make_finding(self.code, parameters, self.message, self.source),)


@dataclass(frozen=True, slots=True)
class MinimumAge:
    """Adults only: esketamine is not approved under 18 and adult trials set the evidence."""

    code: str = "under_minimum_age"

    def evaluate(self, patient: ScreeningInput, parameters: ScreeningParameters) -> Findings:
        if patient.age >= parameters.min_age_years:
            return ()
        message = (
            f"Age {patient.age} is under {parameters.min_age_years}: esketamine is not approved "
            "in pediatric patients and ketamine's antidepressant evidence is in adults."
        )
        return (make_finding(self.code, parameters, message, LABEL),)


@dataclass(frozen=True, slots=True)
class BloodPressure:
    """Resting BP: above 180/100 uncontrolled (Swiss label), above 140/90 elevated (US label)."""

    code: str = "blood_pressure"

    def evaluate(self, patient: ScreeningInput, parameters: ScreeningParameters) -> Findings:
        p = parameters
        reading = f"{patient.bp_systolic}/{patient.bp_diastolic} mmHg"
        if (
            patient.bp_systolic > p.bp_uncontrolled_systolic
            or patient.bp_diastolic > p.bp_uncontrolled_diastolic
        ):
            message = (
                f"Resting BP {reading} is above {p.bp_uncontrolled_systolic}/"
                f"{p.bp_uncontrolled_diastolic}: uncontrolled hypertension, a contraindication in "
                "the Swiss ketamine label; ketamine raises BP further. Treat and re-screen."
            )
            return (make_finding("bp_uncontrolled", p, message, SWISS),)
        if (
            patient.bp_systolic > p.bp_elevated_systolic
            or patient.bp_diastolic > p.bp_elevated_diastolic
        ):
            message = (
                f"Resting BP {reading} is above {p.bp_elevated_systolic}/"
                f"{p.bp_elevated_diastolic}: the esketamine label asks the prescriber to weigh "
                "short-term BP rises (peak about 40 min) against benefit before dosing."
            )
            return (make_finding("bp_elevated", p, message, LABEL),)
        return ()


@dataclass(frozen=True, slots=True)
class RestingHeartRate:
    """Resting tachycardia: ketamine raises heart rate; look for a cause before dosing."""

    code: str = "resting_tachycardia"

    def evaluate(self, patient: ScreeningInput, parameters: ScreeningParameters) -> Findings:
        if patient.heart_rate <= parameters.resting_heart_rate_max:
            return ()
        message = (
            f"Resting heart rate {patient.heart_rate}/min is above "
            f"{parameters.resting_heart_rate_max}: ketamine is sympathomimetic; consider a "
            "cause (thyroid, stimulants, anxiety) before dosing. Default cut-off unverified."
        )
        return (make_finding(self.code, parameters, message, CONVENTION),)


@dataclass(frozen=True, slots=True)
class BodyMassIndex:
    """High BMI changes the dosing weight (ideal or adjusted) and the airway plan."""

    code: str = "bmi_high"

    def evaluate(self, patient: ScreeningInput, parameters: ScreeningParameters) -> Findings:
        bmi = patient.bmi
        if bmi < parameters.bmi_caution_kg_m2:
            return ()
        message = (
            f"BMI {bmi} kg/m² is at or above {parameters.bmi_caution_kg_m2}: dose on ideal or "
            "adjusted body weight rather than actual, and plan the airway for sedation."
        )
        return (make_finding(self.code, parameters, message, "screen.who-bmi"),)


@dataclass(frozen=True, slots=True)
class Pregnancy:
    """Pregnancy; evaluated from the answer whatever the recorded sex."""

    code: str = "pregnancy"

    def evaluate(self, patient: ScreeningInput, parameters: ScreeningParameters) -> Findings:
        if not patient.pregnant:
            return ()
        message = (
            "Pregnant: the esketamine label says not recommended (fetal harm in animal "
            "studies) rather than contraindicated; this clinic's default treats it as "
            "contraindicated."
        )
        return (make_finding(self.code, parameters, message, LABEL),)


@dataclass(frozen=True, slots=True)
class Breastfeeding:
    code: str = "breastfeeding"

    def evaluate(self, patient: ScreeningInput, parameters: ScreeningParameters) -> Findings:
        if not patient.breastfeeding:
            return ()
        message = (
            "Breastfeeding: the esketamine label advises against breastfeeding during "
            "treatment; document the plan (pause, pump and discard, or defer treatment)."
        )
        return (make_finding(self.code, parameters, message, LABEL),)


@dataclass(frozen=True, slots=True)
class InteractingMedication:
    """One finding per interacting class, naming the patient's drugs in that class."""

    kind: MedicationClass
    effect: str
    source: str

    @property
    def code(self) -> str:
        return f"medication_{self.kind.value}"

    def evaluate(self, patient: ScreeningInput, parameters: ScreeningParameters) -> Findings:
        names = patient.medications_in(self.kind)
        if not names:
            return ()
        message = f"{', '.join(names)} ({self.kind.value}): {self.effect}"
        return (make_finding(self.code, parameters, message, self.source),)


@dataclass(frozen=True, slots=True)
class UnrecognisedMedication:
    """Names outside the vocabulary are shown, never dropped: someone must check them."""

    code: str = "medication_unrecognised"

    def evaluate(self, patient: ScreeningInput, parameters: ScreeningParameters) -> Findings:
        names = patient.unrecognised_medications()
        if not names:
            return ()
        message = (
            f"Unrecognised medication: {', '.join(names)}; check interactions manually "
            "(spelling, or a drug or brand not in the vocabulary)."
        )
        return (make_finding(self.code, parameters, message, CONVENTION),)
