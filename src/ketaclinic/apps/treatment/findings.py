"""Stored findings made ready to read: grouped by level, each with its full citation."""

from __future__ import annotations

from ketaclinic.apps.treatment.choices import FindingLevel
from ketaclinic.clinical.sources import cite


def cited(finding: dict) -> dict:
    """The finding with ``citation`` and ``url`` from ``clinical.sources`` (key if unknown)."""
    try:
        source = cite(finding["source"])
    except KeyError:
        return {**finding, "citation": finding["source"], "url": ""}
    return {**finding, "citation": source.citation, "url": source.url}


def grouped(findings: list[dict]) -> list[tuple[str, str, list[dict]]]:
    """``[(level, label, findings)]`` most severe first, empty levels left out."""
    groups = []
    for level in (FindingLevel.CONTRAINDICATED, FindingLevel.REVIEW, FindingLevel.CAUTION):
        found = [cited(f) for f in findings if f["level"] == level]
        if found:
            groups.append((level.value, level.label, found))
    return groups
