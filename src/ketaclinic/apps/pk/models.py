"""The PK page stores nothing; this model exists only to carry its permission.

Django permissions hang on a content type, so the page's ``pk.use_simulator`` needs a model.
It is unmanaged (no table is ever created) and has none of the default add/change/delete/view
permissions. ``accounts/roles.py`` gives it to nurses, prescribers, therapists and the medical
director: the clinical staff who explain routes to patients. Front desk and the administrator
do not get it (the page is clinical teaching, and the patient prefill reads the chart).
"""

from __future__ import annotations

from django.db import models


class RouteComparison(models.Model):
    """Comparing concentration curves by route on the ``/pk/`` page (never stored)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("use_simulator", "Can compare routes on the pharmacokinetic simulator")]

    def __str__(self) -> str:
        return "route comparison"
