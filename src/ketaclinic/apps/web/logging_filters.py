"""Keep patient data and patients' link tokens out of application and access logs.

Searches put names and dates of birth in query strings; a patient's private link
(``/r/<token>/`` for questionnaires, ``/home/<token>/`` for home check-ins, ``/stop/<token>/``
to stop reminders) carries a token
that opens that patient's form. Django's request logger and the access log would copy both
into log files, so every line drops query strings and replaces link tokens.
"""

from __future__ import annotations

import logging
import re

_QUERY_STRING = re.compile(r"\?[^\s\"']*")
_LINK_TOKEN = re.compile(r"/(r|home|stop)/[^/\s\"'?]+")


def redact(text: str) -> str:
    """The line with query strings and private-link tokens replaced."""
    return _LINK_TOKEN.sub(r"/\1/[token]", _QUERY_STRING.sub("?[redacted]", text))


class NoPatientData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg = redacted
            record.args = ()
        return True
