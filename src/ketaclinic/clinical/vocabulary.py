"""Codes shared across the clinical core: sex (as formulas need it), route, setting.

One definition each, so a route code means the same in screening, protocols, dosing, forms,
the API and the CLI. Codes are only ever added, never renamed.
"""

from __future__ import annotations

import enum

__all__ = ["Route", "Setting", "Sex"]


class Sex(enum.StrEnum):
    """Sex as the rules and formulas need it (Devine has one line for women, one for men)."""

    FEMALE = "female"
    MALE = "male"


class Route(enum.StrEnum):
    """How ketamine is given. ``esketamine`` is the intranasal product (Spravato)."""

    IV = "iv"
    IM = "im"
    ESKETAMINE = "esketamine"
    SUBLINGUAL = "sublingual"
    ORAL = "oral"


class Setting(enum.StrEnum):
    """Where the dose is taken: in the clinic under observation, or at home."""

    CLINIC = "clinic"
    HOME = "home"
