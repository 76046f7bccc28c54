"""The clinic's knowledge as plain Python: no Django, no database, no clock.

``__all__`` is the curated public API other layers may use: the error tree, the sources, the
shared vocabulary, and one module per area, used by its own public names::

    from ketaclinic.clinical import scales, eligibility
    scales.score("phq9", answers)
    eligibility.screen(eligibility.ScreeningInput.from_dict(data))

Area modules load on first use (PEP 562), so ``import ketaclinic.clinical`` stays cheap for
the command line; the pharmacokinetics module alone pulls in NumPy and SciPy.
``tests/clinical/test_public_api.py`` keeps this list and every area's ``__all__`` honest.
"""

from __future__ import annotations

import importlib
from types import ModuleType

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
from ketaclinic.clinical.vocabulary import Route, Setting, Sex

AREAS = (
    "administration_rights",
    "billing_codes",
    "body_weight",
    "controlled_substances",
    "dosing",
    "eligibility",
    "home_checkins",
    "intensive_outpatient",
    "monitoring",
    "npi",
    "outcomes",
    "pharmacokinetics",
    "planned_dose",
    "protocols",
    "rems_form",
    "routes",
    "scales",
    "schedule",
    "titration",
    "units",
)

__all__ = [
    "AREAS",
    "SOURCES",
    "ClinicalError",
    "ConfigurationError",
    "InputError",
    "InvalidValue",
    "MissingItem",
    "OutOfRange",
    "Route",
    "Setting",
    "Sex",
    "Source",
    "UnknownCode",
    "cite",
    *AREAS,
]


def __getattr__(name: str) -> ModuleType:
    if name in AREAS:
        module = importlib.import_module(f"ketaclinic.clinical.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'ketaclinic.clinical' has no attribute {name!r}")
