"""An instrument's definition as plain JSON types, for the API, forms and documentation.

The web layer renders every questionnaire from this one shape, so a form can never drift
from the rules that score it.
"""

from __future__ import annotations

import dataclasses
import enum
from decimal import Decimal
from typing import Any

from ketaclinic.clinical.scales.instrument import Instrument
from ketaclinic.clinical.sources import cite

__all__ = ["describe_instrument"]


def describe_instrument(instrument: Instrument) -> dict[str, Any]:
    """Every field of the definition, plus ``max_total`` and the full source citations."""
    described: dict[str, Any] = _plain(instrument)
    described["max_total"] = instrument.max_total
    described["sources"] = [_plain(cite(key)) for key in instrument.sources]
    return described


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value
