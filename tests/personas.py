"""The people every access test is written for (STYLE habit 9).

Site A (Riverside): front desk Fiona, nurse Nadia, prescriber Paul, therapist Theo, medical
director Dora, administrator Adam. Site B (Lakeview): nurse Bea, who must see nothing of
site A. Patients: Alice at A, Bob at B.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal

import pyotp
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.test import Client

from ketaclinic.apps.accounts import mfa
from ketaclinic.apps.accounts.choices import MFA_REQUIRED_ROLES, Role
from ketaclinic.apps.accounts.models import Organisation, Site, TotpDevice, User
from ketaclinic.apps.patients.models import Measurement, Patient
from ketaclinic.apps.web import clock

PASSWORD = "correct-horse-battery-staple"


def totp_secret(username: str) -> str:
    """A persona's authenticator secret: fixed per user name, so a test can compute codes."""
    return base64.b32encode(hashlib.sha256(username.encode()).digest()[:20]).decode()


def enrol_totp(user: User) -> str:
    """Give ``user`` a confirmed authenticator (as if they had enrolled); its secret."""
    secret = totp_secret(user.username)
    TotpDevice.objects.update_or_create(
        user=user,
        defaults={"secret": secret, "created_at": clock.now(), "confirmed_at": clock.now()},
    )
    return secret


def totp_code(user: User, at: dt.datetime | None = None) -> str:
    """The code ``user``'s authenticator shows now (by the application's clock)."""
    return pyotp.TOTP(totp_secret(user.username)).at(at or clock.now())


class PersonaClient(Client):
    """Django's test client; ``force_login`` also passes the second factor, as a persona who
    typed their code would (``login`` with a password does not: it is the real flow)."""

    def force_login(self, user, backend=None) -> None:
        super().force_login(user, backend)
        session = self.session
        mfa.mark_verified(session)
        session.save()


@dataclass
class Clinic:
    site_a: Site
    site_b: Site
    front_desk: User
    nurse: User
    prescriber: User
    therapist: User
    director: User
    admin: User
    nurse_b: User
    no_role: User
    alice: Patient
    bob: Patient

    def persona(self, name: str) -> User | None:
        return None if name == "anonymous" else getattr(self, name)


PERSONAS = (
    "anonymous",
    "front_desk",
    "nurse",
    "prescriber",
    "therapist",
    "director",
    "admin",
    "nurse_b",
    "no_role",
)


@dataclass(frozen=True)
class StaffSpec:
    """One member of staff to create: user name, role (a group) or none, and sites."""

    username: str
    role: str | None
    sites: tuple[Site, ...]
    is_staff: bool = False


def make_users(specs: list[StaffSpec]) -> list[User]:
    """Create the staff of ``specs`` with a handful of statements, whatever their number.

    Every Django test that asks for ``clinic`` builds eight users: made one by one (create,
    set the password, save again, add the group, set the sites, enrol the authenticator) that
    was 73 statements and 50-90 ms a test, two to four minutes of each CI run. The rows are
    the same as the ORM's one-by-one path writes (no signal listens to these models)."""
    if not specs:
        return []
    password = make_password(PASSWORD)
    users = User.objects.bulk_create(
        [
            User(
                username=spec.username,
                first_name=spec.username.title(),
                password=password,
                is_staff=spec.is_staff,
            )
            for spec in specs
        ]
    )
    roles = {spec.role for spec in specs if spec.role}
    groups = {group.name: group for group in Group.objects.filter(name__in=roles)}
    missing = roles - groups.keys()
    if missing:
        raise Group.DoesNotExist(f"no group for role(s) {sorted(missing)}")
    User.groups.through.objects.bulk_create(
        [
            User.groups.through(user_id=user.pk, group_id=groups[spec.role].pk)
            for user, spec in zip(users, specs, strict=True)
            if spec.role
        ]
    )
    User.sites.through.objects.bulk_create(
        [
            User.sites.through(user_id=user.pk, site_id=site.pk)
            for user, spec in zip(users, specs, strict=True)
            for site in spec.sites
        ]
    )
    now = clock.now()
    TotpDevice.objects.bulk_create(
        [
            TotpDevice(
                user=user,
                secret=totp_secret(user.username),
                created_at=now,
                confirmed_at=now,
            )
            for user, spec in zip(users, specs, strict=True)
            if spec.role in MFA_REQUIRED_ROLES or spec.is_staff
        ]
    )
    return users


def make_user(username: str, role: str | None, sites: list[Site], is_staff: bool = False) -> User:
    (user,) = make_users([StaffSpec(username, role, tuple(sites), is_staff)])
    return user


@dataclass(frozen=True)
class PatientSpec:
    site: Site
    mrn: str
    given: str
    family: str
    born: dt.date


def make_patients(specs: list[PatientSpec]) -> list[Patient]:
    """The patients of ``specs``, each with one measurement (70 kg, 170 cm on 5 Jan 2026),
    in two statements."""
    patients = Patient.objects.bulk_create(
        [
            Patient(
                site=spec.site,
                mrn=spec.mrn,
                given_name=spec.given,
                family_name=spec.family,
                date_of_birth=spec.born,
                sex_at_birth="female",
            )
            for spec in specs
        ]
    )
    Measurement.objects.bulk_create(
        [
            Measurement(
                patient=patient,
                measured_on=dt.date(2026, 1, 5),
                weight_kg=Decimal("70.0"),
                height_cm=Decimal("170.0"),
            )
            for patient in patients
        ]
    )
    return patients


def make_patient(site: Site, mrn: str, given: str, family: str, born: dt.date) -> Patient:
    (patient,) = make_patients([PatientSpec(site, mrn, given, family, born)])
    return patient


def build_clinic() -> Clinic:
    organisation = Organisation.objects.create(name="Test Clinic")
    site_a, site_b = Site.objects.bulk_create(
        [
            Site(
                organisation=organisation,
                name="Riverside",
                slug="riverside",
                timezone="America/New_York",
            ),
            Site(
                organisation=organisation,
                name="Lakeview",
                slug="lakeview",
                timezone="America/Chicago",
            ),
        ]
    )
    staff = make_users(
        [
            StaffSpec("fiona", Role.FRONT_DESK, (site_a,)),
            StaffSpec("nadia", Role.NURSE, (site_a,)),
            StaffSpec("paul", Role.PRESCRIBER, (site_a,)),
            StaffSpec("theo", Role.THERAPIST, (site_a,)),
            StaffSpec("dora", Role.MEDICAL_DIRECTOR, (site_a,)),
            StaffSpec("adam", Role.ADMIN, (site_a,), is_staff=True),
            StaffSpec("bea", Role.NURSE, (site_b,)),
            StaffSpec("nobody", None, (site_a,)),
        ]
    )
    alice, bob = make_patients(
        [
            PatientSpec(site_a, "K000001", "Alice", "Rivera", dt.date(1984, 6, 2)),
            PatientSpec(site_b, "K000001", "Bob", "Lindgren", dt.date(1979, 11, 23)),
        ]
    )
    front_desk, nurse, prescriber, therapist, director, admin, nurse_b, no_role = staff
    return Clinic(
        site_a=site_a,
        site_b=site_b,
        front_desk=front_desk,
        nurse=nurse,
        prescriber=prescriber,
        therapist=therapist,
        director=director,
        admin=admin,
        nurse_b=nurse_b,
        no_role=no_role,
        alice=alice,
        bob=bob,
    )
