"""The home (sublingual/oral) program's stricter criteria.

Why stricter: at home nobody measures BP at 40 minutes, watches sedation or keeps the
doses, so the FDA's 2023 communication singles out home use as adding risk. Any substance
use history, no responsible adult at home, BP above the review line, or a route that needs
monitoring (IV, IM) or a certified setting (esketamine REMS) excludes the home program;
each is a separate finding, so the prescriber sees all of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ketaclinic.clinical.eligibility.criteria import (
    ASKP3,
    FDA_HOME,
    LABEL,
    Findings,
    make_finding,
)
from ketaclinic.clinical.eligibility.inputs import ScreeningInput
from ketaclinic.clinical.eligibility.parameters import ScreeningParameters
from ketaclinic.clinical.eligibility.vocabulary import Condition, Route, Setting

__all__ = ["HomeBloodPressure", "HomeResponsibleAdult", "HomeRoute", "HomeSubstanceUse"]


@dataclass(frozen=True, slots=True)
class HomeRoute:
    """At home only sublingual or oral: IV/IM need monitoring; esketamine is REMS-restricted."""

    code: str = "home_route_not_allowed"

    def evaluate(self, patient: ScreeningInput, parameters: ScreeningParameters) -> Findings:
        if patient.setting is not Setting.HOME or patient.route in (Route.SUBLINGUAL, Route.ORAL):
            return ()
        if patient.route is Route.ESKETAMINE:
            message = (
                "Esketamine cannot be used at home: the label's REMS restricts administration "
                "to certified healthcare settings with at least 2 hours of observation."
            )
            return (make_finding(self.code, parameters, message, LABEL),)
        message = (
            f"Route {patient.route.value} cannot be given at home: it needs on-site vital-sign "
            "monitoring (ASKP3 standards oppose unsupervised IV administration at home)."
        )
        return (make_finding(self.code, parameters, message, ASKP3),)


_SUD_CODES = (
    Condition.SUBSTANCE_USE_DISORDER_ACTIVE,
    Condition.SUBSTANCE_USE_DISORDER_HISTORY,
    Condition.KETAMINE_MISUSE_HISTORY,
)


@dataclass(frozen=True, slots=True)
class HomeSubstanceUse:
    code: str = "home_substance_use_history"

    def evaluate(self, patient: ScreeningInput, parameters: ScreeningParameters) -> Findings:
        present = [code.value for code in _SUD_CODES if patient.has(code)]
        if patient.setting is not Setting.HOME or not present:
            return ()
        message = (
            f"Home program excluded by substance-use history ({', '.join(present)}): take-home "
            "doses carry misuse and diversion risk without on-site monitoring (FDA 2023)."
        )
        return (make_finding(self.code, parameters, message, FDA_HOME),)


@dataclass(frozen=True, slots=True)
class HomeResponsibleAdult:
    code: str = "home_no_responsible_adult"

    def evaluate(self, patient: ScreeningInput, parameters: ScreeningParameters) -> Findings:
        if patient.setting is not Setting.HOME or patient.responsible_adult_at_home:
            return ()
        message = (
            "Home program needs a responsible adult present during and after each dose: "
            "there is no on-site monitoring at home (FDA 2023)."
        )
        return (make_finding(self.code, parameters, message, FDA_HOME),)


@dataclass(frozen=True, slots=True)
class HomeBloodPressure:
    """Home is stricter than clinic: any BP above the review line excludes it."""

    code: str = "home_bp_not_controlled"

    def evaluate(self, patient: ScreeningInput, parameters: ScreeningParameters) -> Findings:
        p = parameters
        if patient.setting is not Setting.HOME or (
            patient.bp_systolic <= p.home_bp_max_systolic
            and patient.bp_diastolic <= p.home_bp_max_diastolic
        ):
            return ()
        message = (
            f"Home program needs controlled BP (at most {p.home_bp_max_systolic}/"
            f"{p.home_bp_max_diastolic} mmHg at rest); got {patient.bp_systolic}/"
            f"{patient.bp_diastolic}. BP rises after dosing cannot be monitored at home."
        )
        return (make_finding(self.code, p, message, FDA_HOME),)
