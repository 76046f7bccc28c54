"""``ketaclinic scales``, ``score`` and ``outcome``: the scoring core from a terminal.

``--answers`` is one comma-separated list in item order. Each entry is a whole number, ``-``
(or nothing) for an item left out, and, for yes/no items, ``y``/``yes``/``n``/``no``. The
C-SSRS screener has seven positions (questions 1-6, then "within the past 3 months"), and
an item the skip logic did not ask must be ``-``::

    ketaclinic score cssrs_screen --answers y,n,-,-,-,y,n

No Django, no database: this runs on the pure clinical core.
"""

from __future__ import annotations

import argparse
import re
from typing import Any

from ketaclinic.cli.output import print_json, print_table
from ketaclinic.clinical.exceptions import InvalidValue
from ketaclinic.clinical.scales import describe, get_scale, list_scales, outcome, score
from ketaclinic.clinical.scales.instrument import FlagLevel, Instrument, Item
from ketaclinic.clinical.scales.result import ScaleResult

__all__ = ["parse_answers", "register"]

_WHOLE_NUMBER = re.compile(r"[+-]?\d+")
# No item or total has more than a few digits; a longer figure is refused before ``int()``
# (Python refuses to read past 4,300 digits, and such a number is a slip or an attack).
_MAX_DIGITS = 9
_WORDS = {"y": "yes", "yes": "yes", "n": "no", "no": "no"}


def register(subparsers: argparse._SubParsersAction) -> None:
    listing = subparsers.add_parser(
        "scales", help="list the rating scales, or show one scale's definition"
    )
    listing.add_argument("scale", nargs="?", help="show this scale's full definition")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=_list_scales)

    scoring = subparsers.add_parser("score", help="score one administration of a scale")
    scoring.add_argument("scale", help="scale id, e.g. phq9 (see `ketaclinic scales`)")
    scoring.add_argument(
        "--answers",
        required=True,
        help="answers in item order, comma-separated; '-' for an item left out; y/n allowed "
        "for yes/no items",
    )
    scoring.add_argument("--json", action="store_true", help="print JSON")
    scoring.set_defaults(handler=_score)

    change = subparsers.add_parser(
        "outcome", help="response and remission between a baseline and a current total"
    )
    change.add_argument("scale", help="scale id, e.g. phq9")
    change.add_argument("--baseline", required=True, help="baseline total")
    change.add_argument("--current", required=True, help="current total")
    change.add_argument("--json", action="store_true", help="print JSON")
    change.set_defaults(handler=_outcome)


def parse_answers(instrument: Instrument, text: str) -> list[int | None]:
    """The answers in ``text`` as a list for ``score``; bad entries name their item."""
    tokens = [token.strip() for token in text.split(",")]
    return [
        _parse_token(instrument.items[index] if index < len(instrument.items) else None, token)
        for index, token in enumerate(tokens)
    ]


def _parse_token(item: Item | None, token: str) -> int | None:
    field = item.key if item is not None else "answers"
    if token in {"", "-"}:
        return None
    if _WHOLE_NUMBER.fullmatch(token):
        return _bounded_int(field, token)
    word = _WORDS.get(token.lower())
    if item is not None and word is not None:
        for option in item.options:
            if option.label.lower() == word:
                return option.value
    raise InvalidValue(field, f"must be a whole number, got {_shown(token)}")


def _list_scales(args: argparse.Namespace) -> int:
    if args.scale is not None:
        return _show_scale(get_scale(args.scale), as_json=args.json)
    instruments = list_scales()
    if args.json:
        print_json([_summary(instrument) for instrument in instruments])
        return 0
    print_table(
        ["id", "title", "rater", "items", "total", "LOINC total"],
        [
            [
                instrument.id,
                instrument.title,
                instrument.rater.value,
                len(instrument.items),
                "-" if instrument.max_total is None else f"0-{instrument.max_total}",
                instrument.loinc_total or "-",
            ]
            for instrument in instruments
        ],
    )
    return 0


def _show_scale(instrument: Instrument, *, as_json: bool) -> int:
    if as_json:
        print_json(describe(instrument.id))
        return 0
    print(
        f"{instrument.title} ({instrument.id}), {instrument.version}; rated by {instrument.rater}"
    )
    print(f"Licence: {instrument.licence}")
    print_table(
        ["item", "key", "label", "values"],
        [
            [
                item.number,
                item.key,
                item.label,
                ",".join(str(value) for value in item.values),
            ]
            for item in instrument.items
        ],
    )
    for band in instrument.bands:
        print(f"band {band.code}: {band.low}-{band.high} {band.label}")
    for level in instrument.triage:
        print(f"risk {level.code}: {level.label}")
    return 0


def _summary(instrument: Instrument) -> dict[str, Any]:
    return {
        "id": instrument.id,
        "title": instrument.title,
        "version": instrument.version,
        "rater": instrument.rater,
        "items": len(instrument.items),
        "max_total": instrument.max_total,
        "loinc_panel": instrument.loinc_panel,
        "loinc_total": instrument.loinc_total,
    }


def _score(args: argparse.Namespace) -> int:
    instrument = get_scale(args.scale)
    result = score(instrument.id, parse_answers(instrument, args.answers))
    if args.json:
        print_json(_result_json(result))
        return 0
    _print_result(instrument, result)
    return 0


def _result_json(result: ScaleResult) -> dict[str, Any]:
    return {
        "scale": result.scale,
        "version": result.version,
        "total": result.total,
        "max_total": result.max_total,
        "band": result.band,
        "band_label": result.band_label,
        "subscores": dict(result.subscores),
        "indicators": dict(result.indicators),
        "flags": list(result.flags),
    }


def _print_result(instrument: Instrument, result: ScaleResult) -> None:
    if result.total is None:
        print(f"{instrument.title}: {result.band_label}")
    else:
        band = f" - {result.band_label}" if result.band_label else ""
        print(f"{instrument.title}: total {result.total} of {result.max_total}{band}")
    for code, value in result.subscores.items():
        print(f"  {code}: {value}")
    for code, met in result.indicators.items():
        print(f"  {code}: {'yes' if met else 'no'}")
    for flag in result.flags:
        marker = "ALERT" if flag.level is FlagLevel.ALERT else "warning"
        print(f"{marker}: {flag.code} ({flag.item}): {flag.message}")


def _outcome(args: argparse.Namespace) -> int:
    result = outcome(
        args.scale,
        _whole_number("baseline", args.baseline),
        _whole_number("current", args.current),
    )
    if args.json:
        print_json(result)
        return 0
    percent = "" if result.percent_change is None else f" ({result.percent_change}%)"
    print(
        f"{result.scale}: baseline {result.baseline_total}, current {result.current_total}, "
        f"change {result.change:+d}{percent}"
    )
    print(f"response: {_yes_no(result.response)} - {result.definitions['response']}")
    remission = "not defined" if result.remission is None else _yes_no(result.remission)
    print(f"remission: {remission} - {result.definitions['remission']}")
    return 0


def _whole_number(field: str, text: str) -> int:
    if not _WHOLE_NUMBER.fullmatch(text.strip()):
        raise InvalidValue(field, f"must be a whole number, got {_shown(text)}")
    return _bounded_int(field, text.strip())


def _bounded_int(field: str, token: str) -> int:
    if len(token.lstrip("+-")) > _MAX_DIGITS:
        raise InvalidValue(field, f"must be a whole number of at most {_MAX_DIGITS} digits")
    return int(token)


def _shown(text: str) -> str:
    """The value as typed, cut short so the error stays one readable line."""
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _yes_no(value: bool | None) -> str:
    if value is None:
        return "undefined (baseline 0)"
    return "yes" if value else "no"
