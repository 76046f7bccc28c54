"""Frozen descriptions of pharmacokinetic models: parameters, units, variability, sources.

A model here is data a reader can audit against its paper (every ``Parameter`` carries its
unit and ``Source`` key) plus a *structure*, the small piece of code that turns those numbers
and a patient's covariates into a linear system ``dx/dt = A x + inputs``. Keeping the numbers
in data and the equations in one structure per model family means the catalogue reads like
the papers' parameter tables.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

import numpy as np

from ketaclinic.clinical.pharmacokinetics.routes import PKRoute, pk_route
from ketaclinic.clinical.vocabulary import Sex

if TYPE_CHECKING:
    from ketaclinic.clinical.pharmacokinetics.regimens import Dose

__all__ = [
    "Ancestry",
    "CovariateArrays",
    "CovariateRule",
    "Covariates",
    "Drug",
    "EtaScale",
    "Input",
    "PKModel",
    "PKRoute",
    "Parameter",
    "RandomEffect",
    "SamplingSite",
    "Structure",
    "SystemArrays",
    "pk_route",
]


class Drug(enum.StrEnum):
    RACEMIC_KETAMINE = "racemic ketamine"
    ESKETAMINE = "esketamine"


class SamplingSite(enum.StrEnum):
    """Where the modelled concentrations were measured: arterial and venous differ early on."""

    ARTERIAL = "arterial"
    VENOUS = "venous"
    UNREPORTED = "not stated in the source we transcribed"


class Ancestry(enum.StrEnum):
    """The ethnicity covariate of Perez-Ruixo et al. 2021 (other models ignore it)."""

    NOT_ASIAN = "not-asian"
    ASIAN_NOT_JAPANESE = "asian-not-japanese"
    JAPANESE = "japanese"


class EtaScale(enum.StrEnum):
    """How a random effect acts: log-normal for positive values, logit-normal for fractions."""

    LOG = "log"
    LOGIT = "logit"


@dataclass(frozen=True, slots=True)
class Parameter:
    """One typical (population) value as published, with its unit and where it comes from."""

    name: str
    value: float
    unit: str
    source_key: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class RandomEffect:
    """Between-subject variability of one parameter: ``variance`` is omega squared."""

    parameter: str
    variance: float
    scale: EtaScale
    source_key: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class CovariateRule:
    """A covariate effect in words, for the model listing; the structure implements it."""

    covariate: str
    parameter: str
    rule: str
    source_key: str


@dataclass(frozen=True, slots=True)
class Covariates:
    """One patient's covariates, checked by ``simulation.check_inputs`` (weight 20-300 kg).

    The default age, 40, is any adult under 60: the only model with an age effect
    (Perez-Ruixo 2021, hepatic blood flow) changes nothing below 60. Sex is the shared
    vocabulary's; no catalogue model uses it (Perez-Ruixo 2021 screened it out).
    """

    weight_kg: Decimal
    age_years: Decimal = Decimal("40")
    sex: Sex | None = None
    ancestry: Ancestry = Ancestry.NOT_ASIAN


@dataclass(frozen=True, slots=True)
class CovariateArrays:
    """Covariates of a batch of patients, one float64 entry per patient (leading axis)."""

    weight_kg: np.ndarray
    age_years: np.ndarray
    female: np.ndarray
    asian: np.ndarray
    japanese: np.ndarray

    @classmethod
    def of(cls, covariates: Covariates) -> CovariateArrays:
        return cls(
            weight_kg=np.array([float(covariates.weight_kg)]),
            age_years=np.array([float(covariates.age_years)]),
            female=np.array([float(covariates.sex is Sex.FEMALE)]),
            asian=np.array([float(covariates.ancestry is not Ancestry.NOT_ASIAN)]),
            japanese=np.array([float(covariates.ancestry is Ancestry.JAPANESE)]),
        )

    def __len__(self) -> int:
        return len(self.weight_kg)


@dataclass(frozen=True, slots=True)
class SystemArrays:
    """A batch of linear systems: ``matrix_per_h`` (B, n, n) with B = 1 when shared,
    ``observe`` (B, m, n) turning amounts in mg into concentrations in ng/mL."""

    matrix_per_h: np.ndarray
    observe: np.ndarray
    state_names: tuple[str, ...]
    output_names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Input:
    """Drug entering one state: a bolus (``duration_h == 0``) or a zero-order infusion.

    ``amount_mg`` has one entry per patient, or a single entry shared by all.
    """

    state: int
    start_h: float
    duration_h: float
    amount_mg: np.ndarray


class Structure(Protocol):
    """The equations of one model family (see ``structures.py``)."""

    def system(
        self, individual: Mapping[str, np.ndarray], routes: frozenset[PKRoute]
    ) -> SystemArrays: ...

    def individual(
        self,
        model: PKModel,
        covariates: CovariateArrays,
        etas: Mapping[str, np.ndarray],
    ) -> dict[str, np.ndarray]: ...

    def inputs(
        self,
        dose: Dose,
        individual: Mapping[str, np.ndarray],
        covariates: CovariateArrays,
        state_names: tuple[str, ...],
    ) -> list[Input]: ...


@dataclass(frozen=True, slots=True)
class PKModel:
    """A published model, frozen: what it is for, its numbers and its equations."""

    id: str
    title: str
    drug: Drug
    routes: tuple[PKRoute, ...]
    source_key: str
    sampling_site: SamplingSite
    parameters: tuple[Parameter, ...]
    structure: Structure = field(repr=False, compare=False)
    random_effects: tuple[RandomEffect, ...] = ()
    covariate_rules: tuple[CovariateRule, ...] = ()
    metabolite: str | None = None
    caveats: tuple[str, ...] = ()
    validation: str = ""

    def varies_on(self, route: PKRoute) -> bool:
        """Whether any published between-subject variability acts on ``route``.

        A random effect on a route's own parameter (``f_sublingual``, ``ka_oral`` ...) acts
        on that route only; any other (a volume, a clearance) acts on every route.
        """
        suffixes = {f"_{r.value}" for r in PKRoute}
        for effect in self.random_effects:
            own = [s for s in suffixes if effect.parameter.endswith(s)]
            if not own or own[0] == f"_{route.value}":
                return True
        return False

    def value(self, name: str) -> float:
        """The typical value of parameter ``name``; a missing name is a programming error."""
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter.value
        raise KeyError(name)

    def parameter(self, name: str) -> Parameter:
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        raise KeyError(name)
