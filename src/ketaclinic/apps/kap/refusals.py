"""The one error KAP writes raise: every problem at once, each naming its field."""

from __future__ import annotations

from ketaclinic.clinical.exceptions import InputError


class KapRefused(InputError):
    """Every reason a write was refused; ``field``/``message`` are the first of them, so
    callers that show one error (and the API's ``InputError`` handler) still name a field."""

    def __init__(self, errors: list[InputError]) -> None:
        super().__init__(errors[0].field, errors[0].message)
        self.errors = errors

    def as_json(self) -> dict:
        return {
            "errors": [
                {"field": e.field, "message": e.message, "code": type(e).__name__}
                for e in self.errors
            ]
        }
