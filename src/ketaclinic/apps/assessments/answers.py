"""Check a form's answers with the clinical core and collect every item's error at once.

The core stops at the first bad item (``InputError.field``). A patient on a phone who left
three items blank should see all three marked, so after each error we set that item aside
(an allowed placeholder) and ask the core again — unless a skip rule depends on the item,
where a placeholder could invent errors downstream. The placeholders never reach a score:
any error means no result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ketaclinic.clinical.exceptions import InputError
from ketaclinic.clinical.scales import ScaleResult, get_scale, score

__all__ = ["AnswerCheck", "check_answers"]


@dataclass(frozen=True)
class AnswerCheck:
    """The scored result, or the errors by item key (``"answers"`` for the whole form)."""

    result: ScaleResult | None
    errors: dict[str, str] = field(default_factory=dict)


def check_answers(scale_id: str, answers: Mapping[str, int | None]) -> AnswerCheck:
    instrument = get_scale(scale_id)
    controlling = {item.asked_if.item for item in instrument.items if item.asked_if}
    by_key = {item.key: item for item in instrument.items}
    trial = dict(answers)
    errors: dict[str, str] = {}
    for _ in range(len(instrument.items) + 1):
        try:
            result = score(scale_id, trial)
        except InputError as error:
            errors.setdefault(error.field, error.message)
            item = by_key.get(error.field)
            if item is None or item.key in controlling or item.asked_if is not None:
                break
            trial[item.key] = item.values[0]
            continue
        return AnswerCheck(None if errors else result, errors)
    return AnswerCheck(None, errors)
