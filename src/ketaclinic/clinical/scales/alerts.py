"""The flag rules of every instrument as one flat list, for documentation and the alerts app.

Scoring raises the flags; this module only lists the rules in a shape a reader (or the
Django layer deciding who gets an alert) can take in at a glance.
"""

from __future__ import annotations

from dataclasses import dataclass

from ketaclinic.clinical.scales.instrument import FlagLevel, Instrument

__all__ = ["AlertRule", "alert_rules_for"]


@dataclass(frozen=True, slots=True)
class AlertRule:
    """One rule: on ``scale``, ``condition`` raises flag ``code`` at ``level``."""

    scale: str
    code: str
    condition: str
    level: FlagLevel
    message: str


def alert_rules_for(instrument: Instrument) -> tuple[AlertRule, ...]:
    """The item rules and the triage rules of ``instrument`` that raise a flag."""
    rules = [
        AlertRule(
            instrument.id,
            rule.code,
            f"{rule.item} = {rule.minimum}"
            if rule.minimum == rule.maximum
            else f"{rule.item} in {rule.minimum}..{rule.maximum}",
            rule.level,
            rule.message,
        )
        for rule in instrument.safety_rules
    ]
    for level in instrument.triage:
        if level.flag_level is not None:
            condition = " or ".join(f"{c.item} = {c.value}" for c in level.any_of)
            rules.append(
                AlertRule(
                    instrument.id,
                    level.flag_code,
                    f"risk {level.code}: {condition}",
                    level.flag_level,
                    level.message,
                )
            )
    return tuple(rules)
