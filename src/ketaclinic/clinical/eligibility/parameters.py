"""The clinic-configurable side of screening: every threshold and the level split.

Each field's default names its source key (``clinical/sources.py``). Sources disagree on
what is absolute — the esketamine label contraindicates only vascular disease, brain
haemorrhage and hypersensitivity; the Swiss ketamine label adds uncontrolled hypertension
and untreated hyperthyroidism; the APA consensus treats psychosis and substance-use history
as reasons for careful assessment — so the level of every finding code can be changed by
the clinic through ``levels`` (for example ``{"psychosis_history": "contraindicated"}``).
A finding can be made stricter or milder but never switched off.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from ketaclinic.clinical.eligibility.fields import FieldReader
from ketaclinic.clinical.eligibility.findings import Level
from ketaclinic.clinical.exceptions import ConfigurationError, InvalidValue

__all__ = ["DEFAULT_LEVELS", "ScreeningParameters"]

_C, _R, _W = Level.CONTRAINDICATED, Level.REVIEW, Level.CAUTION

#: Finding code -> default level. The source of each is on the criterion that emits it.
DEFAULT_LEVELS: Mapping[str, Level] = MappingProxyType(
    {
        "under_minimum_age": _C,  # screen.spravato-label: not approved under 18
        "aneurysmal_vascular_disease": _C,  # screen.spravato-label section 4
        "arteriovenous_malformation": _C,  # screen.spravato-label section 4
        "intracerebral_hemorrhage_history": _C,  # screen.spravato-label section 4
        "ketamine_hypersensitivity": _C,  # both labels
        "bp_uncontrolled": _C,  # screen.swiss-ketamine-label: above 180/100 at rest
        "bp_elevated": _R,  # screen.spravato-label 2.1: above 140/90, weigh the risk
        "resting_tachycardia": _W,  # screen.ketaclinic-convention (unverified default)
        "psychosis_current": _C,  # screen.sanacora-2017
        "mania_current": _C,  # screen.sanacora-2017
        "psychosis_history": _R,  # screen.sanacora-2017: careful assessment, not absolute
        "substance_use_disorder_active": _R,  # screen.spravato-label 5.3, sanacora-2017
        "ketamine_misuse_history": _C,  # screen.spravato-label 5.3 (conservative split)
        "substance_use_disorder_history": _W,  # screen.spravato-label 5.3
        "pregnancy": _C,  # screen.spravato-label 8.1 ("not recommended")
        "breastfeeding": _R,  # screen.spravato-label 8.2 ("not recommended")
        "raised_intracranial_pressure": _C,  # screen.spravato-label 5.6
        "raised_intraocular_pressure": _R,  # screen.swiss-ketamine-label: special caution
        "unstable_cardiovascular_disease": _C,  # swiss label caution; spravato 5.6
        "severe_hepatic_impairment": _R,  # screen.spravato-label 8.6
        "untreated_hyperthyroidism": _C,  # screen.swiss-ketamine-label
        "interstitial_cystitis": _R,  # screen.spravato-label 5.9
        "ketamine_uropathy": _C,  # screen.fda-2023-compounded-ketamine, spravato 5.9
        "high_acute_suicide_risk": _C,  # screen.spravato-label: not instead of hospital
        "prior_ketamine_nonresponse": _W,  # screen.sanacora-2017
        "recent_myocardial_infarction": _R,  # screen.swiss-ketamine-label: special caution
        "bmi_high": _W,  # screen.who-bmi
        "medication_maoi": _R,  # screen.spravato-label section 7
        "medication_psychostimulant": _R,  # screen.spravato-label section 7
        "medication_benzodiazepine": _W,  # screen.andrashko-2020-benzodiazepines
        "medication_lamotrigine": _W,  # screen.andrade-2017-interactions
        "medication_opioid": _W,  # screen.spravato-label section 7 (CNS depressants)
        "medication_cns_depressant": _W,  # screen.spravato-label section 7
        "medication_methylxanthine": _R,  # screen.ukcpa-theophylline: avoid (seizures)
        "medication_unrecognised": _W,  # screen.ketaclinic-convention: check manually
        "home_route_not_allowed": _C,  # screen.askp3-2020; REMS for esketamine
        "home_substance_use_history": _C,  # screen.fda-2023-compounded-ketamine
        "home_no_responsible_adult": _C,  # screen.fda-2023-compounded-ketamine
        "home_bp_not_controlled": _C,  # screen.fda-2023-compounded-ketamine + label 140/90
    }
)


@dataclass(frozen=True, slots=True)
class ScreeningParameters:
    """Thresholds (mmHg, years, kg/m², beats/min) and level overrides for one clinic.

    Blood pressure is "above" a pair when systolic OR diastolic exceeds its number.
    """

    min_age_years: int = 18  # screen.spravato-label (not approved in pediatric patients)
    bp_uncontrolled_systolic: int = 180  # screen.swiss-ketamine-label
    bp_uncontrolled_diastolic: int = 100  # screen.swiss-ketamine-label
    bp_elevated_systolic: int = 140  # screen.spravato-label 2.1
    bp_elevated_diastolic: int = 90  # screen.spravato-label 2.1
    home_bp_max_systolic: int = 140  # screen.fda-2023-compounded-ketamine + spravato 2.1
    home_bp_max_diastolic: int = 90  # screen.fda-2023-compounded-ketamine + spravato 2.1
    bmi_caution_kg_m2: Decimal = Decimal("30")  # screen.who-bmi (obesity)
    resting_heart_rate_max: int = 100  # unverified: conventional adult tachycardia line
    levels: Mapping[str, Level] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.bmi_caution_kg_m2, Decimal):
            raise ConfigurationError("bmi_caution_kg_m2 must be a Decimal")
        if self.bp_elevated_systolic > self.bp_uncontrolled_systolic:
            raise ConfigurationError("bp_elevated_systolic must not exceed bp_uncontrolled")
        if self.bp_elevated_diastolic > self.bp_uncontrolled_diastolic:
            raise ConfigurationError("bp_elevated_diastolic must not exceed bp_uncontrolled")
        checked: dict[str, Level] = {}
        for code, level in dict(self.levels).items():
            if code not in DEFAULT_LEVELS:
                raise ConfigurationError(f"levels: unknown finding code {code!r}")
            try:
                checked[code] = Level(level)
            except ValueError:
                raise ConfigurationError(f"levels[{code}]: unknown level {level!r}") from None
        object.__setattr__(self, "levels", MappingProxyType(checked))

    def level_for(self, code: str) -> Level:
        """The clinic's level for a finding code, or its sourced default."""
        return self.levels.get(code, DEFAULT_LEVELS[code])

    def to_dict(self) -> dict[str, Any]:
        """Every field as plain values (Decimal stays exact), to store with a screening.

        ``from_dict`` reads it back; serialise Decimals as JSON numbers, not text.
        """
        values: dict[str, Any] = {name: getattr(self, name) for name in _INTEGER_LIMITS}
        values["bmi_caution_kg_m2"] = self.bmi_caution_kg_m2
        values["levels"] = {code: level.value for code, level in sorted(self.levels.items())}
        return values

    @classmethod
    def from_dict(cls, data: Any) -> ScreeningParameters:
        """A clinic's settings as JSON: any subset of the fields; ``InputError`` names the field.

        ``levels`` is an object of finding code -> level. Combinations that contradict each
        other (an elevated line above the uncontrolled line) are refused on ``parameters``.
        """
        reader = FieldReader(data, prefix="", allowed=_PARAMETER_FIELDS)
        values: dict[str, Any] = {}
        for name, (low, high) in _INTEGER_LIMITS.items():
            number = reader.optional_integer(name, low=low, high=high)
            if number is not None:
                values[name] = number
        bmi = reader.optional_decimal("bmi_caution_kg_m2", low=Decimal(15), high=Decimal(80))
        if bmi is not None:
            values["bmi_caution_kg_m2"] = bmi
        levels = reader.optional_nested("levels", frozenset(DEFAULT_LEVELS))
        if levels is not None:
            values["levels"] = {code: levels.choice(code, Level) for code in levels.present()}
        try:
            return cls(**values)
        except ConfigurationError as error:
            raise InvalidValue("parameters", str(error)) from None


_INTEGER_LIMITS: dict[str, tuple[int, int]] = {
    "min_age_years": (0, 130),
    "bp_uncontrolled_systolic": (80, 300),
    "bp_uncontrolled_diastolic": (40, 200),
    "bp_elevated_systolic": (80, 300),
    "bp_elevated_diastolic": (40, 200),
    "home_bp_max_systolic": (80, 300),
    "home_bp_max_diastolic": (40, 200),
    "resting_heart_rate_max": (40, 250),
}
_PARAMETER_FIELDS = frozenset({*_INTEGER_LIMITS, "bmi_caution_kg_m2", "levels"})
