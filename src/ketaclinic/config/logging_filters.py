"""Keep patient data out of application logs.

Searches put names and dates of birth in query strings; Django's request logger and the
access log would copy them into log files. The filter drops every query string from a log
line before it is written.
"""

from __future__ import annotations

import logging
import re

_QUERY_STRING = re.compile(r"\?[^\s\"']*")


class NoPatientData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _QUERY_STRING.sub("?[redacted]", message)
        if redacted != message:
            record.msg = redacted
            record.args = ()
        return True
