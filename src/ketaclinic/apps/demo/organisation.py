"""Demo sites and staff: every role, logins printed by ``ketaclinic demo``."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from ketaclinic.apps.accounts.choices import Role
from ketaclinic.apps.accounts.models import Organisation, Site, User

DEMO_ORGANISATION = "Ketaclinic Demo Network"
DEMO_PASSWORD = "ketamine-demo-2026"  # noqa: S105 - synthetic demo logins, printed on purpose  # nosec B105


@dataclass(frozen=True)
class DemoStaff:
    username: str
    first_name: str
    last_name: str
    role: str
    site_slugs: tuple[str, ...]
    is_staff: bool = False


SITES = (
    (
        "Riverside Clinic",
        "riverside",
        "America/New_York",
        "RK1234563",
        6,
        "120 River Road, Suite 200\nHudson, NY 12534",
    ),
    (
        "Lakeview Clinic",
        "lakeview",
        "America/Chicago",
        "LK7654324",
        4,
        "45 Shore Drive\nMadison, WI 53703",
    ),
)

STAFF = (
    DemoStaff("frontdesk", "Maya", "Okafor", Role.FRONT_DESK, ("riverside",)),
    DemoStaff("nurse", "Daniel", "Reyes", Role.NURSE, ("riverside",)),
    DemoStaff("nurse.lakeview", "Priya", "Natarajan", Role.NURSE, ("lakeview",)),
    DemoStaff("prescriber", "Helen", "Marsh", Role.PRESCRIBER, ("riverside", "lakeview")),
    DemoStaff("therapist", "Samuel", "Lindqvist", Role.THERAPIST, ("riverside",)),
    DemoStaff("director", "Grace", "Abernathy", Role.MEDICAL_DIRECTOR, ("riverside", "lakeview")),
    DemoStaff("admin", "Tom", "Becker", Role.ADMIN, ("riverside", "lakeview"), is_staff=True),
)


def create_organisation() -> tuple[Organisation, dict[str, Site], dict[str, User]]:
    organisation = Organisation.objects.create(name=DEMO_ORGANISATION)
    sites = {}
    for name, slug, tz, dea, chairs, address in SITES:
        sites[slug] = Site.objects.create(
            organisation=organisation,
            name=name,
            slug=slug,
            timezone=tz,
            dea_registration=dea,
            chairs=chairs,
            address=address,
            phone="+1 555 0100",
        )
    password = make_password(DEMO_PASSWORD)
    groups = {g.name: g for g in Group.objects.filter(name__in=Role.values)}
    users = {}
    for member in STAFF:
        user = User.objects.create(
            username=member.username,
            first_name=member.first_name,
            last_name=member.last_name,
            email=f"{member.username}@demo.ketaclinic.invalid",
            password=password,
            is_staff=member.is_staff,
        )
        user.groups.add(groups[member.role])
        user.sites.set([sites[slug] for slug in member.site_slugs])
        users[member.username] = user
    return organisation, sites, users


def is_seeded() -> bool:
    return Organisation.objects.filter(name=DEMO_ORGANISATION).exists()
