"""The routes pharmacokinetics distinguishes, the lowest floor of this package.

Regimens, models and the solver all name a route; keeping the enumeration here, importing
nothing of the package, is what lets ``models`` describe a structure's inputs without a
circle through ``regimens`` and ``solver``.
"""

from __future__ import annotations

import enum

from ketaclinic.clinical.vocabulary import Route

__all__ = ["PKRoute", "pk_route"]


class PKRoute(enum.StrEnum):
    """How the drug enters the body. Values are the CLI's ``--route`` words.

    The shared vocabulary's ``Route`` names the esketamine *product* (``esketamine``) where
    pharmacokinetics needs the *route* (``intranasal``, also used by racemic sprays);
    ``pk_route`` maps one to the other.
    """

    IV = "iv"
    IM = "im"
    INTRANASAL = "intranasal"
    SUBLINGUAL = "sublingual"
    ORAL = "oral"


def pk_route(route: Route) -> PKRoute:
    """The PK route of a shared-vocabulary route: ``esketamine`` (Spravato) is intranasal."""
    return PKRoute.INTRANASAL if route is Route.ESKETAMINE else PKRoute(route.value)
