"""The clinic's knowledge as plain Python: no Django, no database, no clock.

``__all__`` is the curated public API other layers may use; ``tests/clinical/test_public_api.py``
keeps it honest.
"""

from ketaclinic.clinical.exceptions import (
    ClinicalError,
    ConfigurationError,
    InputError,
    InvalidValue,
    MissingItem,
    OutOfRange,
    UnknownCode,
)
from ketaclinic.clinical.sources import SOURCES, Source, cite

__all__ = [
    "SOURCES",
    "ClinicalError",
    "ConfigurationError",
    "InputError",
    "InvalidValue",
    "MissingItem",
    "OutOfRange",
    "Source",
    "UnknownCode",
    "cite",
]
