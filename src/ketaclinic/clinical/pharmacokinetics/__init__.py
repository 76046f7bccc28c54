"""Pharmacokinetics of ketamine and esketamine by route, for one patient or a population.

Models from the literature (``catalogue``) are frozen descriptions with sources; regimens
(``regimens``) are boluses, infusions, nasal sessions and their repeats; the engine
(``solver``) solves the linear models exactly, batched over patients; ``population`` samples
virtual patients and ``summaries`` streams their exposure and percentile bands.
This is an educational model of typical and variable exposure, not a dosing instruction.
"""

from ketaclinic.clinical.pharmacokinetics.catalogue import (
    CLEMENTS_1981,
    DEFAULT_MODEL_BY_ROUTE,
    DOMINO_1984,
    HERD_2007,
    MODELS,
    PEREZ_RUIXO_2021,
    default_model,
    get_model,
)
from ketaclinic.clinical.pharmacokinetics.models import (
    Ancestry,
    Covariates,
    Drug,
    PKModel,
    PKRoute,
    SamplingSite,
    pk_route,
)
from ketaclinic.clinical.pharmacokinetics.population import (
    PopulationSummary,
    simulate_population,
)
from ketaclinic.clinical.pharmacokinetics.regimens import (
    NASAL_DEVICE_MG,
    Dose,
    Regimen,
    bolus,
    infusion,
    nasal_session,
)
from ketaclinic.clinical.pharmacokinetics.simulation import (
    Simulation,
    simulate,
    single_dose_regimen,
    time_grid,
)
from ketaclinic.clinical.pharmacokinetics.summaries import BAND_PERCENTILES

__all__ = [
    "BAND_PERCENTILES",
    "CLEMENTS_1981",
    "DEFAULT_MODEL_BY_ROUTE",
    "DOMINO_1984",
    "HERD_2007",
    "MODELS",
    "NASAL_DEVICE_MG",
    "PEREZ_RUIXO_2021",
    "Ancestry",
    "Covariates",
    "Dose",
    "Drug",
    "PKModel",
    "PKRoute",
    "PopulationSummary",
    "Regimen",
    "SamplingSite",
    "Simulation",
    "bolus",
    "default_model",
    "get_model",
    "infusion",
    "nasal_session",
    "pk_route",
    "simulate",
    "simulate_population",
    "single_dose_regimen",
    "time_grid",
]
