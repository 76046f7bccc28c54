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


def make_user(username: str, role: str | None, sites: list[Site], **extra: object) -> User:
    user = User.objects.create(username=username, first_name=username.title(), **extra)
    user.set_password(PASSWORD)
    user.save()
    if role:
        user.groups.add(Group.objects.get(name=role))
    user.sites.set(sites)
    if role in MFA_REQUIRED_ROLES or extra.get("is_staff"):
        enrol_totp(user)
    return user


def make_patient(site: Site, mrn: str, given: str, family: str, born: dt.date) -> Patient:
    patient = Patient.objects.create(
        site=site,
        mrn=mrn,
        given_name=given,
        family_name=family,
        date_of_birth=born,
        sex_at_birth="female",
    )
    Measurement.objects.create(
        patient=patient,
        measured_on=dt.date(2026, 1, 5),
        weight_kg=Decimal("70.0"),
        height_cm=Decimal("170.0"),
    )
    return patient


def build_clinic() -> Clinic:
    organisation = Organisation.objects.create(name="Test Clinic")
    site_a = Site.objects.create(
        organisation=organisation, name="Riverside", slug="riverside", timezone="America/New_York"
    )
    site_b = Site.objects.create(
        organisation=organisation, name="Lakeview", slug="lakeview", timezone="America/Chicago"
    )
    return Clinic(
        site_a=site_a,
        site_b=site_b,
        front_desk=make_user("fiona", Role.FRONT_DESK, [site_a]),
        nurse=make_user("nadia", Role.NURSE, [site_a]),
        prescriber=make_user("paul", Role.PRESCRIBER, [site_a]),
        therapist=make_user("theo", Role.THERAPIST, [site_a]),
        director=make_user("dora", Role.MEDICAL_DIRECTOR, [site_a]),
        admin=make_user("adam", Role.ADMIN, [site_a], is_staff=True),
        nurse_b=make_user("bea", Role.NURSE, [site_b]),
        no_role=make_user("nobody", None, [site_a]),
        alice=make_patient(site_a, "K000001", "Alice", "Rivera", dt.date(1984, 6, 2)),
        bob=make_patient(site_b, "K000001", "Bob", "Lindgren", dt.date(1979, 11, 23)),
    )
