"""Model fields stored encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256).

Why: an enquiry is health information from someone who is not yet a patient; a copied
database file or backup must not give away who asked, how to reach them, or what they said
about suicidal thoughts. Keys come from ``KETACLINIC_FIELD_KEYS``: the first encrypts, every
key decrypts (``MultiFernet``), so a key is rotated by putting a new one first and running
``ketaclinic enquiries rotate-key`` before the old one is removed.

Why not a library: the maintained ones (django-fernet-encrypted-fields and the
django-cryptography forks) derive their keys from ``SECRET_KEY``, which ties the data to the
session-signing key and its rotation; here the keys are their own setting, parsed strictly.

What stays visible: an empty value is stored empty (so "email or phone" can be a database
constraint). Encrypted values cannot be searched or sorted by the database; a lookup other than
``isnull`` or comparing with ``""`` is refused rather than silently matching nothing.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django import forms
from django.conf import settings
from django.core import validators
from django.core.exceptions import FieldError, ValidationError
from django.db import models
from django.db.models.lookups import Exact, IsNull, Lookup, Transform

__all__ = [
    "EncryptedBooleanField",
    "EncryptedDateField",
    "EncryptedEmailField",
    "EncryptedTextField",
    "UndecryptableValue",
    "decrypt_text",
    "encrypt_text",
    "field_cipher",
    "reencrypt_text",
]


class UndecryptableValue(Exception):
    """A stored value no key in ``KETACLINIC_FIELD_KEYS`` opens (a key removed too early, or a
    key from another installation)."""


@lru_cache(maxsize=4)
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode("ascii")) for key in keys])


def field_cipher() -> MultiFernet:
    """The cipher for the keys configured now (tests may override the setting)."""
    return _cipher(tuple(settings.KETACLINIC_FIELD_KEYS))


def encrypt_text(text: str) -> str:
    return field_cipher().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt_text(token: str, where: str = "a field") -> str:
    try:
        return field_cipher().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeEncodeError):
        raise UndecryptableValue(
            f"{where}: the stored value cannot be decrypted with any key in "
            "KETACLINIC_FIELD_KEYS (was a key removed before `ketaclinic enquiries rotate-key`?)"
        ) from None


def reencrypt_text(token: str) -> str:
    """The same value under the first key (``MultiFernet.rotate``)."""
    if token == "":  # the empty string is "no value", not a password  # nosec B105
        return token
    try:
        return field_cipher().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken:
        raise UndecryptableValue(
            "a stored value cannot be decrypted with any key in KETACLINIC_FIELD_KEYS"
        ) from None


class EmptyOnlyExact(Exact):
    """``field=""`` works (empty is stored empty); any other value cannot match a token."""

    def get_prep_lookup(self) -> Any:
        if self.rhs not in ("", None) and not hasattr(self.rhs, "resolve_expression"):
            raise FieldError(
                f"{self.lhs.target.name} is encrypted: it can only be compared with an empty value"
            )
        return super().get_prep_lookup()


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; ``max_length`` limits the plain text."""

    description = "Text encrypted at rest"
    form_class: type[forms.Field] = forms.CharField
    widget: type[forms.Widget] | None = forms.TextInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            self.validators.append(validators.MaxLengthValidator(self.max_length))

    def to_text(self, value: Any) -> str:
        return str(value)

    def from_text(self, text: str) -> Any:
        return text

    def get_prep_value(self, value: Any) -> Any:
        if value is None or value == "":
            return value
        if hasattr(value, "resolve_expression"):
            return value
        return encrypt_text(self.to_text(self.to_python(value)))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return self.to_python(value)
        where = f"{self.model._meta.label}.{self.name}" if hasattr(self, "model") else self.name
        return self.from_text(decrypt_text(value, where))

    def get_lookup(self, lookup_name: str) -> type[Lookup[Any]] | None:
        if lookup_name == "exact":
            return EmptyOnlyExact
        if lookup_name == "isnull":
            return IsNull
        return None

    def get_transform(self, lookup_name: str) -> type[Transform] | None:
        return None

    def formfield(self, **kwargs: Any) -> forms.Field:
        defaults: dict[str, Any] = {"form_class": self.form_class}
        if self.widget is not None and not self.choices:
            defaults["widget"] = self.widget
        defaults.update(kwargs)
        return models.Field.formfield(self, **defaults)


class EncryptedEmailField(EncryptedTextField):
    description = "E-mail address encrypted at rest"
    form_class = forms.EmailField
    widget = forms.EmailInput
    default_validators = [validators.validate_email]


class EncryptedDateField(EncryptedTextField):
    """A date stored as an encrypted ISO date."""

    description = "Date encrypted at rest"
    form_class = forms.DateField
    widget = None

    def to_python(self, value: Any) -> Any:
        if value in (None, ""):
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        return dt.date.fromisoformat(str(value))

    def to_text(self, value: dt.date) -> str:
        return value.isoformat()

    def from_text(self, text: str) -> dt.date:
        return dt.date.fromisoformat(text)

    def value_to_string(self, obj: Any) -> str:
        value = self.value_from_object(obj)
        return "" if value is None else value.isoformat()


class EncryptedBooleanField(EncryptedTextField):
    """A yes/no answer; both answers are encrypted, so neither shows in the database."""

    description = "Boolean encrypted at rest"
    form_class = forms.BooleanField
    widget = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> Any:
        if value in (None, ""):
            return None
        if value in (True, False):
            return bool(value)
        if value in ("1", "true", "True", "t"):
            return True
        if value in ("0", "false", "False", "f"):
            return False
        raise ValidationError(f"{value!r} is not a yes or no", code="invalid")

    def to_text(self, value: bool) -> str:
        return "1" if value else "0"

    def from_text(self, text: str) -> bool:
        return text == "1"

    def formfield(self, **kwargs: Any) -> forms.Field:
        kwargs.setdefault("required", False)
        return super().formfield(**kwargs)
