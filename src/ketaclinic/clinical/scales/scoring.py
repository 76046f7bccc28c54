"""Score any instrument from its definition: validate, total, band, subscores, flags.

One engine for every instrument keeps the rules in the data, where they can be checked
against the source, and makes the input rules identical everywhere: an answer is a whole
number from the item's options; a missing required answer, an answer to an item the skip
logic did not ask, an unknown item, a wrong count, text or ``True``/``False`` are refused
with an ``InputError`` naming the item. Nothing is prorated: none of our instruments'
sources defines proration for the way we use them, so an incomplete form has no total.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ketaclinic.clinical.exceptions import InvalidValue, MissingItem, OutOfRange, UnknownCode
from ketaclinic.clinical.scales.instrument import (
    Condition,
    Instrument,
    Item,
    ScoringRule,
    TriageLevel,
)
from ketaclinic.clinical.scales.result import Flag, ScaleResult

__all__ = ["score_instrument", "validate_answers"]

Answers = Mapping[str, int | None] | Sequence[int | None]


def score_instrument(instrument: Instrument, answers: Answers) -> ScaleResult:
    """The scored result of one administration of ``instrument``."""
    given = validate_answers(instrument, answers)
    total = _total(instrument, given)
    band_code, band_label = _band(instrument, total, given)
    return ScaleResult(
        scale=instrument.id,
        version=instrument.version,
        total=total,
        max_total=instrument.max_total,
        band=band_code,
        band_label=band_label,
        subscores=_subscores(instrument, given),
        indicators=_indicators(instrument, total, given),
        flags=_flags(instrument, given),
        answers=given,
    )


def validate_answers(instrument: Instrument, answers: Answers) -> dict[str, int]:
    """The answers keyed by item, checked against the definition; ``None`` means not given."""
    raw = _by_key(instrument, answers)
    given: dict[str, int] = {}
    for item in instrument.items:
        value = raw.get(item.key)
        if item.asked_if is not None and not _holds(item.asked_if, given):
            if value is not None:
                raise InvalidValue(
                    item.key,
                    f"not asked when {item.asked_if.item} is not {item.asked_if.value} "
                    "(skip logic); leave it out",
                )
            continue
        if value is None:
            if item.required:
                raise MissingItem(item.key, "missing answer")
            continue
        given[item.key] = _checked_value(item, value)
    _check_complete_groups(instrument, given)
    return given


def _by_key(instrument: Instrument, answers: Answers) -> Mapping[str, object]:
    keys = [item.key for item in instrument.items]
    if isinstance(answers, Mapping):
        for key in answers:
            if key not in keys:
                raise UnknownCode(
                    str(key), f"not an item of {instrument.id} (items are {_key_range(keys)})"
                )
        return answers
    if isinstance(answers, str | bytes) or not isinstance(answers, Sequence):
        raise InvalidValue("answers", "must be a list of answers or a mapping of item keys")
    shortest = _shortest_answer_list(instrument)
    if shortest == len(keys):
        expected = str(shortest)
    else:
        joiner = " or " if len(keys) - shortest == 1 else " to "
        expected = f"{shortest}{joiner}{len(keys)}"
    if len(answers) < shortest:
        raise MissingItem(
            keys[len(answers)],
            f"missing answer (got {len(answers)} answers, expected {expected})",
        )
    if len(answers) > len(keys):
        raise InvalidValue("answers", f"expected {expected} answers, got {len(answers)}")
    return dict(zip(keys, answers, strict=False))


def _shortest_answer_list(instrument: Instrument) -> int:
    """Trailing optional or skip-dependent items may be left off a positional list."""
    needed = [i.number for i in instrument.items if i.required and i.asked_if is None]
    return max(needed)


def _key_range(keys: list[str]) -> str:
    return keys[0] if len(keys) == 1 else f"{keys[0]} to {keys[-1]}"


def _checked_value(item: Item, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValue(item.key, f"must be a whole number, got {value!r}")
    if value not in item.values:
        low, high = min(item.values), max(item.values)
        if low <= value <= high:
            allowed = ", ".join(str(v) for v in item.values)
            raise InvalidValue(item.key, f"must be one of {allowed}, got {value}")
        raise OutOfRange(item.key, f"must be between {low} and {high}, got {value}")
    return value


def _check_complete_groups(instrument: Instrument, given: Mapping[str, int]) -> None:
    """A subscale of optional items is answered whole or not at all (CADSS observer items)."""
    for subscale in instrument.subscales:
        present = [key for key in subscale.items if key in given]
        if present and len(present) < len(subscale.items):
            missing = next(key for key in subscale.items if key not in given)
            raise MissingItem(
                missing,
                f"missing answer: {subscale.label} are answered together "
                f"({_key_range(list(subscale.items))}) or not at all",
            )


def _holds(condition: Condition, given: Mapping[str, int]) -> bool:
    return given.get(condition.item) == condition.value


def _total(instrument: Instrument, given: Mapping[str, int]) -> int | None:
    if instrument.scoring is ScoringRule.TRIAGE:
        return None
    if instrument.scoring is ScoringRule.DOMAIN_MAX:
        return sum(max(given[key] for key in domain.items) for domain in instrument.domains)
    return sum(given[item.key] for item in instrument.items if item.scored)


def _band(
    instrument: Instrument, total: int | None, given: Mapping[str, int]
) -> tuple[str | None, str | None]:
    if total is None:
        level = _triage_level(instrument, given)
        return level.code, level.label
    for band in instrument.bands:
        if band.low <= total <= band.high:
            return band.code, band.label
    return None, None


def _triage_level(instrument: Instrument, given: Mapping[str, int]) -> TriageLevel:
    reached = [lvl for lvl in instrument.triage if _triage_trigger(lvl.any_of, given) is not False]
    return reached[-1]


def _triage_trigger(conditions: tuple[Condition, ...], given: Mapping[str, int]) -> str | bool:
    """The item that meets the first condition; ``True`` for an unconditional level."""
    if not conditions:
        return True
    for condition in conditions:
        if _holds(condition, given):
            return condition.item
    return False


def _subscores(instrument: Instrument, given: Mapping[str, int]) -> dict[str, int]:
    scores: dict[str, int] = {}
    for subscale in instrument.subscales:
        if all(key in given for key in subscale.items):
            scores[subscale.code] = sum(given[key] for key in subscale.items)
    for domain in instrument.domains:
        scores[domain.code] = max(given[key] for key in domain.items)
    return scores


def _indicators(
    instrument: Instrument, total: int | None, given: Mapping[str, int]
) -> dict[str, bool]:
    indicators: dict[str, bool] = {}
    for cutoff in instrument.cutoffs:
        indicators[cutoff.code] = total is not None and total >= cutoff.at_least
    subscales = {subscale.code: subscale for subscale in instrument.subscales}
    for rule in instrument.symptom_rules:
        indicators[rule.code] = all(
            sum(1 for key in subscales[code].items if given[key] >= rule.endorsed_at) >= count
            for code, count in rule.required
        )
    return indicators


def _flags(instrument: Instrument, given: Mapping[str, int]) -> tuple[Flag, ...]:
    flags = [
        Flag(rule.code, rule.item, rule.level, rule.message)
        for rule in instrument.safety_rules
        if rule.item in given and rule.minimum <= given[rule.item] <= rule.maximum
    ]
    if instrument.triage:
        level = _triage_level(instrument, given)
        if level.flag_level is not None:
            item = _triage_trigger(level.any_of, given)
            decided_by = item if isinstance(item, str) else None
            flags.append(Flag(level.flag_code, decided_by, level.flag_level, level.message))
    return tuple(flags)
