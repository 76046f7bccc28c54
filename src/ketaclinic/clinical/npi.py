"""National Provider Identifier: ten digits, the last a Luhn check digit (``cms_npi_check_digit``).

The check digit is the Luhn (ISO/IEC 7812) digit of the card-issuer prefix 80840 followed by
the first nine digits; the prefix always adds 24 to the Luhn sum, which is how CMS's own
worked example computes it (123456789 -> 3).
"""

from __future__ import annotations

from ketaclinic.clinical.exceptions import InvalidValue

__all__ = ["NPI_PREFIX_SUM", "npi_check_digit", "validate_npi"]

NPI_PREFIX_SUM = 24
"""What the prefix 80840 adds to the Luhn sum of the nine digits after it."""


def npi_check_digit(first_nine: str) -> int:
    """The check digit for the first nine digits of an NPI."""
    if len(first_nine) != 9 or not first_nine.isascii() or not first_nine.isdigit():
        raise InvalidValue("npi", "the first nine digits of an NPI are nine digits")
    total = NPI_PREFIX_SUM
    # Rightmost digit first: it is doubled, as in any Luhn check over a payload.
    for position, char in enumerate(reversed(first_nine)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            digit = digit - 9 if digit > 9 else digit
        total += digit
    return (10 - total % 10) % 10


def validate_npi(npi: str) -> str:
    """``npi`` if it is ten digits with a valid check digit; ``InvalidValue`` naming why."""
    npi = npi.strip()
    if len(npi) != 10 or not npi.isascii() or not npi.isdigit():
        raise InvalidValue("npi", "an NPI is ten digits")
    if npi[0] not in "12":
        raise InvalidValue("npi", "an NPI starts with 1 (a person) or 2 (an organisation)")
    if npi_check_digit(npi[:9]) != int(npi[9]):
        raise InvalidValue("npi", "the check digit does not match: a digit is mistyped")
    return npi
