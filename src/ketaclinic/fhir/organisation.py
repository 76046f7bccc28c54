"""Organization (the clinic), Location (each site and its chairs), Practitioner, PractitionerRole.

Sites are ``Location/site-<id>``; a site's chairs are ``Location/chair-<site id>-<n>``, part
of the site. A PractitionerRole is one member of staff at one site, with their roles.
"""

from __future__ import annotations

from ketaclinic.apps.accounts.choices import Role
from ketaclinic.apps.accounts.models import Organisation, Site, User
from ketaclinic.fhir import codes
from ketaclinic.fhir.elements import day, pruned, reference


def site_location_id(site_id: int) -> str:
    return f"site-{site_id}"


def chair_location_id(site_id: int, chair: int) -> str:
    return f"chair-{site_id}-{chair}"


def organization_resource(organisation: Organisation) -> dict:
    return {
        "resourceType": "Organization",
        "id": str(organisation.pk),
        "active": True,
        "name": organisation.name,
    }


def site_location_resource(site: Site) -> dict:
    return pruned(
        {
            "resourceType": "Location",
            "id": site_location_id(site.pk),
            "identifier": [{"system": f"{codes.LOCAL}/sid/site", "value": site.slug}],
            "status": "active",
            "name": site.name,
            "mode": "instance",
            "telecom": [{"system": "phone", "value": site.phone}] if site.phone else [],
            "address": {"text": site.address} if site.address else None,
            "physicalType": {"coding": [codes.coding(codes.LOCATION_TYPE, "si", "Site")]},
            "managingOrganization": reference("Organization", site.organisation_id),
        }
    )


def chair_location_resource(site: Site, chair: int) -> dict:
    return {
        "resourceType": "Location",
        "id": chair_location_id(site.pk, chair),
        "status": "active",
        "name": f"{site.name}, chair {chair}",
        "mode": "instance",
        "physicalType": {"coding": [codes.coding(codes.LOCATION_TYPE, "ro", "Room")]},
        "managingOrganization": reference("Organization", site.organisation_id),
        "partOf": reference("Location", site_location_id(site.pk), site.name),
    }


def practitioner_resource(user: User) -> dict:
    qualification = []
    if user.licence_number:
        licence: dict = {
            "identifier": [{"system": f"{codes.LOCAL}/sid/licence", "value": user.licence_number}],
            "code": {"text": "Professional licence"},
        }
        if user.licence_expires_on:
            licence["period"] = {"end": day(user.licence_expires_on)}
        qualification.append(licence)
    if user.dea_number:
        dea: dict = {
            "identifier": [{"system": f"{codes.LOCAL}/sid/dea", "value": user.dea_number}],
            "code": {"text": "DEA registration"},
        }
        if user.dea_expires_on:
            dea["period"] = {"end": day(user.dea_expires_on)}
        qualification.append(dea)
    name: dict = {"text": user.display_name}
    if user.last_name:
        name["family"] = user.last_name
    if user.first_name:
        name["given"] = [user.first_name]
    return pruned(
        {
            "resourceType": "Practitioner",
            "id": str(user.pk),
            "identifier": [{"system": codes.STAFF_SYSTEM, "value": user.username}],
            "active": user.is_active,
            "name": [name],
            "qualification": qualification,
        }
    )


def practitioner_role_resource(membership, role_codes: list[str]) -> dict:
    """``membership`` is a row of ``User.sites.through`` with ``site`` loaded."""
    labels = dict(Role.choices)
    return pruned(
        {
            "resourceType": "PractitionerRole",
            "id": str(membership.pk),
            "active": True,
            "practitioner": reference("Practitioner", membership.user_id),
            "organization": reference("Organization", membership.site.organisation_id),
            "location": [reference("Location", site_location_id(membership.site_id))],
            "code": [
                {"coding": [codes.coding(f"{codes.LOCAL}/CodeSystem/role", r, labels[r])]}
                for r in sorted(role_codes)
            ],
        }
    )
