"""What screening returns: findings with a level, and one decision over all of them.

Levels, from the issue's contract: ``contraindicated`` (cannot proceed), ``review`` (a
prescriber must document a decision before proceeding), ``caution`` (shown, never blocks).
The decision is the worst level present; cautions alone leave the patient eligible.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["Decision", "Finding", "Level", "ScreeningResult"]


class Level(enum.StrEnum):
    CAUTION = "caution"
    REVIEW = "review"
    CONTRAINDICATED = "contraindicated"

    @property
    def rank(self) -> int:
        """Severity order: caution 1 < review 2 < contraindicated 3."""
        return _RANKS[self]


_RANKS = {Level.CAUTION: 1, Level.REVIEW: 2, Level.CONTRAINDICATED: 3}


class Decision(enum.StrEnum):
    ELIGIBLE = "eligible"
    REVIEW = "review"
    INELIGIBLE = "ineligible"


@dataclass(frozen=True, slots=True)
class Finding:
    """One reason to stop, think, or take care; ``source`` is a key in ``clinical.sources``."""

    code: str
    level: Level
    message: str
    source: str


@dataclass(frozen=True, slots=True)
class ScreeningResult:
    """All findings (most severe first) and the decision; store ``rules_version`` with it."""

    decision: Decision
    findings: tuple[Finding, ...]
    rules_version: str

    @classmethod
    def from_findings(cls, findings: list[Finding], rules_version: str) -> ScreeningResult:
        ordered = tuple(sorted(findings, key=lambda finding: -finding.level.rank))
        levels = {finding.level for finding in ordered}
        if Level.CONTRAINDICATED in levels:
            decision = Decision.INELIGIBLE
        elif Level.REVIEW in levels:
            decision = Decision.REVIEW
        else:
            decision = Decision.ELIGIBLE
        return cls(decision=decision, findings=ordered, rules_version=rules_version)
