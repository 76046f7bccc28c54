"""Transitional names over ``accounts.scoping`` (removed once every app asks it directly)."""

from __future__ import annotations

from typing import Any

from ketaclinic.apps.accounts.scoping import (
    get_for_user_or_404,
    require_permission,
    restrict,
    site_ids_for,
    sites_for,
)

__all__ = ["patient_for", "patients_for", "require_permission", "site_ids_for", "sites_for"]


def patients_for(user: Any, permission: str = "patients.view_patient"):
    from ketaclinic.apps.patients.models import Patient

    return restrict(Patient, user, permission)


def patient_for(user: Any, patient_id: Any, permission: str = "patients.view_patient"):
    from ketaclinic.apps.patients.models import Patient

    return get_for_user_or_404(Patient, user, permission, pk=patient_id)
