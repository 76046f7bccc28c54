"""Short names for instruments and items, as clinicians say them ("PHQ-9 item 9")."""

from __future__ import annotations

from ketaclinic.clinical.scales import Instrument, get_scale

__all__ = ["item_number", "short_title"]


def short_title(instrument: Instrument | str) -> str:
    """The abbreviation in a title's last parentheses: "... (PHQ-9)" -> "PHQ-9"."""
    if isinstance(instrument, str):
        instrument = get_scale(instrument)
    title = instrument.title
    if title.endswith(")") and " (" in title:
        return title.rsplit(" (", 1)[1][:-1]
    return title


def item_number(instrument: Instrument | str, key: str) -> int | None:
    if isinstance(instrument, str):
        instrument = get_scale(instrument)
    for item in instrument.items:
        if item.key == key:
            return item.number
    return None
