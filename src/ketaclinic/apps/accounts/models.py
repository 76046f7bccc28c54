"""The clinic organisation, its registered sites, and the staff who work there."""

from __future__ import annotations

from zoneinfo import available_timezones

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from ketaclinic.apps.accounts.choices import EsketamineLabel, Role
from ketaclinic.clinical.exceptions import InvalidValue
from ketaclinic.clinical.npi import validate_npi

DEA_NUMBER = RegexValidator(r"^[A-Z]{2}\d{7}$", "A DEA number is two letters and seven digits.")


def validate_timezone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError("%(value)s is not an IANA time zone.", params={"value": value})


def validate_open_weekdays(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(d, int) and 0 <= d <= 6 for d in value):
        raise ValidationError("Open days are a list of weekday numbers 0 (Monday) to 6 (Sunday).")


def validate_npi_field(value: str) -> None:
    """An NPI: empty, or ten digits whose last is the Luhn check digit (``clinical.npi``)."""
    if not value:
        return
    try:
        validate_npi(value)
    except InvalidValue as error:
        raise ValidationError(error.message, code="npi") from None


def default_open_weekdays() -> list[int]:
    return [0, 1, 2, 3, 4]


class Organisation(models.Model):
    """The clinic as a legal entity; one installation usually serves one organisation."""

    name = models.CharField(max_length=200, unique=True)

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    """A registered location: its own time zone, DEA registration, open days and chairs.

    Patients, sessions and controlled-substance stock belong to a site; staff see only the
    sites they work at.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="sites")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True, help_text="Used in public page addresses.")
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    dea_registration = models.CharField(
        max_length=9, blank=True, validators=[DEA_NUMBER], verbose_name="DEA registration"
    )
    open_weekdays = models.JSONField(
        default=default_open_weekdays, validators=[validate_open_weekdays]
    )
    chairs = models.PositiveSmallIntegerField(default=4, help_text="Infusion chairs or rooms.")
    esketamine_label = models.CharField(
        max_length=2,
        choices=EsketamineLabel.choices,
        default=EsketamineLabel.US,
        help_text="The esketamine label of the site's jurisdiction: it sets the starting dose "
        "at 65 and over in plans and dose orders.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="site_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A member of staff.

    ``sites`` are where they work. A role held as a group applies at every one of those
    sites; a ``SiteRole`` gives a role at one site only (a prescriber at one clinic may be
    front desk at another). What they may do where: ``accounts.scoping``.
    """

    sites = models.ManyToManyField(Site, related_name="staff", blank=True)
    licence_number = models.CharField(max_length=40, blank=True)
    licence_expires_on = models.DateField(null=True, blank=True)
    dea_number = models.CharField(
        max_length=9, blank=True, validators=[DEA_NUMBER], verbose_name="DEA number"
    )
    dea_expires_on = models.DateField(null=True, blank=True, verbose_name="DEA expires on")
    npi = models.CharField(
        "NPI",
        max_length=10,
        blank=True,
        validators=[validate_npi_field],
        help_text="National Provider Identifier: the rendering provider on superbills.",
    )

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        permissions = [("manage_staff", "Can manage staff accounts, roles, sites and MFA")]

    #: The permissions of the API token the request authenticated with (``api_auth``), which
    #: narrow what this user may do for that request; ``None`` for a browser session.
    token_permissions: frozenset[str] | None = None

    def has_perm(self, perm: str, obj: models.Model | None = None) -> bool:
        if self.token_permissions is not None and perm not in self.token_permissions:
            return False
        from ketaclinic.apps.accounts.scoping import access_for, answers_alone

        if obj is None and self.is_active and not self.is_superuser and answers_alone():
            # What Django's loop over the backends would answer, without the loop: it
            # imported and built the backend anew and copied the held set for every question
            # (three a FHIR read, one an API read).
            return perm in access_for(self).anywhere
        return super().has_perm(perm, obj)

    def get_all_permissions(self, obj: models.Model | None = None) -> set[str]:
        held = super().get_all_permissions(obj)
        return held if self.token_permissions is None else held & self.token_permissions

    def has_module_perms(self, app_label: str) -> bool:
        if self.token_permissions is not None and not any(
            code.startswith(f"{app_label}.") for code in self.token_permissions
        ):
            return False
        return super().has_module_perms(app_label)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def role_codes(self) -> frozenset[str]:
        """The user's roles at any site (groups and site roles), cached for the request."""
        cached = getattr(self, "_role_codes", None)
        if cached is None:
            valid = set(Role.values)
            names = self.groups.values_list("name", flat=True).union(
                self.site_roles.values_list("group__name", flat=True)
            )
            cached = frozenset(name for name in names if name in valid)
            self._role_codes = cached
        return cached


class SiteRole(models.Model):
    """A role (a group of permissions) held at one site only.

    Granted and taken away on the medical director's staff pages, each change recorded in
    the audit chain. The person also works at the site (``User.sites``).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="site_roles")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="site_roles")
    group = models.ForeignKey(
        "auth.Group", on_delete=models.CASCADE, related_name="site_roles", verbose_name="role"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "site", "group"], name="site_role_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} is {self.group} at {self.site}"


class TotpDevice(models.Model):
    """A member of staff's authenticator app (RFC 6238 TOTP, 30 s steps, 6 digits).

    ``confirmed_at`` is set once the person has typed a code from the app, proving it holds
    the secret; until then the device does not count. ``last_used_step`` refuses a code used
    once from being used again (RFC 6238 §5.2).
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    secret = models.CharField(max_length=64, help_text="Base32 shared secret.")
    created_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_used_step = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"TOTP for {self.user}"


class RecoveryCode(models.Model):
    """A single-use code for when the authenticator is lost; only its hash is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=256)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "used_at"], name="recovery_code_user_idx")]

    def __str__(self) -> str:
        return f"Recovery code {self.pk} of {self.user}"


class FormDraft(models.Model):
    """What a member of staff submitted after their session had ended, kept for them alone.

    Kept on the server, tied to the user, rather than in the browser's storage: on a shared
    workstation the next person to log in at the same browser must not see it, and it may
    hold patient data, which belongs in the access-controlled, audited database. A draft is
    offered back only to its author, on the page the form was on, for
    ``accounts.drafts.DRAFT_KEEP_HOURS``; it is deleted when submitted or discarded.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="form_drafts")
    form_path = models.CharField(max_length=500, help_text="Where the form posts to.")
    page_path = models.CharField(max_length=500, help_text="The page the form was on.")
    fields = models.JSONField(help_text="The submitted fields as [name, value] pairs.")
    saved_at = models.DateTimeField()

    class Meta:
        ordering = ["-saved_at", "-id"]
        indexes = [models.Index(fields=["user", "page_path"], name="form_draft_user_page_idx")]

    def __str__(self) -> str:
        return f"Draft for {self.form_path} ({self.saved_at:%Y-%m-%d %H:%M})"


# The API token model lives beside its rules (``api_tokens.py``); imported here so Django
# registers it with the accounts app.
from ketaclinic.apps.accounts.api_tokens import ApiToken  # noqa: E402

__all__ = ["ApiToken", "FormDraft", "Organisation", "RecoveryCode", "Site", "TotpDevice", "User"]
