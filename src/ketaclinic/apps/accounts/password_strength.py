"""A password validator that refuses guessable passwords, not just short or listed ones.

Django's length and common-password validators pass ``aaaaaaaaaaaa`` and ``Ketamine2026!!``.
zxcvbn (Wheeler, "zxcvbn: Low-Budget Password Strength Estimation", USENIX Security 2016)
estimates how many guesses an attacker needs, from dictionaries of common passwords, names
and words, keyboard patterns, repeats, sequences and dates, all offline; NIST SP 800-63B
§5.1.1.2 asks verifiers to refuse such values. Score 3 means "safely unguessable: moderate
protection from offline slow-hash scenario" (about 10^8 guesses or more); we refuse below it.
The person's own details (user name, names, e-mail) count as known words.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from zxcvbn import zxcvbn

__all__ = ["GuessablePasswordValidator"]

# zxcvbn's cost grows with length; past this many characters a password is long enough that
# the estimate adds nothing and the check would be a way to burn server time.
CHECKED_CHARACTERS = 100


class GuessablePasswordValidator:
    """Refuses a password zxcvbn scores below ``min_score`` (0–4), code
    ``password_too_guessable``, with zxcvbn's own warning when it gives one."""

    code = "password_too_guessable"

    def __init__(self, min_score: int = 3) -> None:
        if not 0 <= min_score <= 4:
            raise ValueError("min_score is between 0 and 4")
        self.min_score = min_score

    def validate(self, password: str, user: Any = None) -> None:
        known = [
            str(value)
            for value in (
                getattr(user, "username", ""),
                getattr(user, "first_name", ""),
                getattr(user, "last_name", ""),
                getattr(user, "email", ""),
                "ketaclinic",
                "ketamine",
            )
            if value
        ]
        result = zxcvbn(password[:CHECKED_CHARACTERS], user_inputs=known)
        if result["score"] >= self.min_score:
            return
        warning = (result.get("feedback") or {}).get("warning") or ""
        message = "This password is too easy to guess."
        if warning:
            message = f"{message} {warning.rstrip('.')}."
        raise ValidationError(
            "%(message)s Use a few unrelated words or a longer phrase.",
            code=self.code,
            params={"message": message},
        )

    def get_help_text(self) -> str:
        return (
            "Your password must be hard to guess: not a repeated or keyboard pattern, a common "
            "password, or your own name; a few unrelated words work well."
        )
