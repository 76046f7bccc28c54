"""Strict readers for one JSON-like object, so every edge rejects bad input the same way.

Why a reader and not ``dict.get``: a form, an API and the CLI all hand the core a plain dict,
and each wrong value must come back as an ``InputError`` naming the field exactly as the
user typed it (``bp_systolic``, ``conditions[2]``, ``latest.spo2``). Booleans are never
numbers (JSON ``true`` is not ``1``), text is never a number, and unknown keys are errors,
not silently dropped. Numbers that carry decimals become ``Decimal`` through ``str``, never
straight from a float.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, TypeVar

from ketaclinic.clinical.exceptions import (
    InvalidValue,
    MissingItem,
    OutOfRange,
    UnknownCode,
)

__all__ = ["FieldReader"]

E = TypeVar("E", bound=enum.Enum)


class FieldReader:
    """Reads typed, range-checked fields from one mapping; ``prefix`` names nested objects."""

    def __init__(self, data: Any, *, prefix: str = "", allowed: frozenset[str]) -> None:
        where = prefix or "input"
        if not isinstance(data, Mapping):
            raise InvalidValue(where, "must be a JSON object")
        for key in data:
            if not isinstance(key, str) or key not in allowed:
                raise UnknownCode(self._join(prefix, str(key)), "is not a recognised field")
        self._data = data
        self._prefix = prefix

    @staticmethod
    def _join(prefix: str, name: str) -> str:
        return f"{prefix}.{name}" if prefix else name

    def name(self, key: str) -> str:
        """The field's name as reported in errors."""
        return self._join(self._prefix, key)

    def _get(self, key: str) -> Any:
        return self._data.get(key)

    def _require(self, key: str) -> Any:
        value = self._data.get(key)
        if value is None:
            raise MissingItem(self.name(key), "is required")
        return value

    def _as_int(self, key: str, value: Any, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int | Decimal | float):
            raise InvalidValue(self.name(key), "must be a whole number")
        if isinstance(value, Decimal | float):
            exact = Decimal(str(value))
            if not exact.is_finite() or exact != exact.to_integral_value():
                raise InvalidValue(self.name(key), "must be a whole number")
            value = int(exact)
        whole: int = value
        if not low <= whole <= high:
            raise OutOfRange(self.name(key), f"must be between {low} and {high}, got {whole}")
        return whole

    def integer(self, key: str, *, low: int, high: int) -> int:
        return self._as_int(key, self._require(key), low, high)

    def optional_integer(self, key: str, *, low: int, high: int) -> int | None:
        value = self._get(key)
        return None if value is None else self._as_int(key, value, low, high)

    def _as_decimal(self, key: str, value: Any, low: Decimal, high: Decimal) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | Decimal | float):
            raise InvalidValue(self.name(key), "must be a number")
        exact = Decimal(str(value))
        if not exact.is_finite():
            raise InvalidValue(self.name(key), "must be a finite number")
        if not low <= exact <= high:
            raise OutOfRange(self.name(key), f"must be between {low} and {high}, got {exact}")
        return exact

    def decimal(self, key: str, *, low: Decimal, high: Decimal) -> Decimal:
        return self._as_decimal(key, self._require(key), low, high)

    def optional_decimal(self, key: str, *, low: Decimal, high: Decimal) -> Decimal | None:
        value = self._get(key)
        return None if value is None else self._as_decimal(key, value, low, high)

    def _as_bool(self, key: str, value: Any) -> bool:
        if not isinstance(value, bool):
            raise InvalidValue(self.name(key), "must be true or false")
        return value

    def boolean(self, key: str) -> bool:
        return self._as_bool(key, self._require(key))

    def optional_boolean(self, key: str) -> bool | None:
        value = self._get(key)
        return None if value is None else self._as_bool(key, value)

    def choice(self, key: str, kind: type[E]) -> E:
        value = self._require(key)
        if not isinstance(value, str):
            raise InvalidValue(self.name(key), "must be a string")
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(str(member.value) for member in kind)
            raise UnknownCode(self.name(key), f"{value!r} is not one of: {allowed}") from None

    def string_list(self, key: str) -> list[tuple[str, str]]:
        """``(field name, value)`` for each item, e.g. ``("conditions[2]", "mania_current")``."""
        value = self._get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise InvalidValue(self.name(key), "must be a list of strings")
        items = []
        for index, item in enumerate(value):
            item_name = f"{self.name(key)}[{index}]"
            if not isinstance(item, str) or not item.strip():
                raise InvalidValue(item_name, "must be a non-empty string")
            items.append((item_name, item))
        return items

    def _as_datetime(self, key: str, value: Any) -> dt.datetime:
        message = "must be an ISO 8601 date-time with a UTC offset"
        if isinstance(value, dt.datetime):
            moment = value
        elif isinstance(value, str):
            try:
                moment = dt.datetime.fromisoformat(value)
            except ValueError:
                raise InvalidValue(self.name(key), message) from None
        else:
            raise InvalidValue(self.name(key), message)
        if moment.utcoffset() is None:
            raise InvalidValue(self.name(key), "must carry a UTC offset (timezone-aware)")
        return moment

    def optional_aware_datetime(self, key: str) -> dt.datetime | None:
        value = self._get(key)
        return None if value is None else self._as_datetime(key, value)

    def present(self) -> list[str]:
        """The field names present (all known: unknown ones were refused on construction)."""
        return [str(key) for key in self._data]

    def optional_nested(self, key: str, allowed: frozenset[str]) -> FieldReader | None:
        value = self._get(key)
        return None if value is None else FieldReader(value, prefix=self.name(key), allowed=allowed)

    def nested(self, key: str, allowed: frozenset[str]) -> FieldReader:
        return FieldReader(self._require(key), prefix=self.name(key), allowed=allowed)
