"""The errors the clinical core raises, so callers know exactly what to catch.

    ClinicalError                 anything the clinical core refuses
     ├── InputError               bad input; ``field`` names the offending field or item
     │    ├── MissingItem         a required field or questionnaire item is absent
     │    ├── OutOfRange          a number outside its allowed range
     │    ├── UnknownCode         a code not in the documented vocabulary
     │    └── InvalidValue        a value of the wrong type or shape
     └── ConfigurationError       a clinic-configured parameter is invalid

The web layer turns ``InputError`` into HTTP 422 with ``{"field", "message"}``; the CLI into
exit code 2 and one line on stderr. Nothing in the core prints or exits.
"""

from __future__ import annotations

__all__ = [
    "ClinicalError",
    "ConfigurationError",
    "InputError",
    "InvalidValue",
    "MissingItem",
    "OutOfRange",
    "UnknownCode",
]


class ClinicalError(Exception):
    """Base of every error the clinical core raises."""


class InputError(ClinicalError, ValueError):
    """Input the core cannot use. ``field`` names what is wrong, for forms, APIs and the CLI."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class MissingItem(InputError):
    """A required field or questionnaire item is absent."""


class OutOfRange(InputError):
    """A number outside the range its definition allows."""


class UnknownCode(InputError):
    """A code that is not part of the documented vocabulary (never silently ignored)."""


class InvalidValue(InputError):
    """A value of the wrong type or shape (text where a number is due, a bad date)."""


class ConfigurationError(ClinicalError):
    """A clinic-configurable parameter holds a value the rules cannot work with."""
