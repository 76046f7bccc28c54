"""Run every criterion over one patient and decide: eligible, review, or ineligible.

``RULES_VERSION`` names this rule set; a stored screening keeps it (and the clinic's
parameters) so a decision can be explained later even after the rules change. Bump it
whenever a criterion, message meaning, default threshold or default level changes.
"""

from __future__ import annotations

from collections.abc import Sequence

from ketaclinic.clinical.eligibility.criteria import Criterion
from ketaclinic.clinical.eligibility.findings import Finding, ScreeningResult
from ketaclinic.clinical.eligibility.inputs import ScreeningInput
from ketaclinic.clinical.eligibility.parameters import ScreeningParameters
from ketaclinic.clinical.eligibility.ruleset import DEFAULT_CRITERIA

__all__ = ["RULES_VERSION", "screen"]

RULES_VERSION = "eligibility-2026.12.1"

_DEFAULT_PARAMETERS = ScreeningParameters()


def screen(
    patient: ScreeningInput,
    parameters: ScreeningParameters = _DEFAULT_PARAMETERS,
    criteria: Sequence[Criterion] = DEFAULT_CRITERIA,
) -> ScreeningResult:
    """All findings for ``patient`` (nothing short-circuits) and the decision they imply."""
    findings: list[Finding] = []
    for criterion in criteria:
        findings.extend(criterion.evaluate(patient, parameters))
    return ScreeningResult.from_findings(findings, RULES_VERSION)
