"""Pagination without COUNT(*): fetch one row more than a page to know if another follows.

An exact count scans the whole match on a large patient or audit table; staff need "next",
not "page 1 of 4,812".

Every list uses ``paginate``. Pages read the number with ``page_number`` (a bad number shows
page 1, as a person would expect); API operations take the edge kit's ``Paging``
(``apps/api/edge.py``), so ``?page=0`` or a number past ``MAX_PAGE`` is a 422 naming ``page``,
never a 500.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict

from ketaclinic.clinical.exceptions import OutOfRange

DEFAULT_PAGE_SIZE = 25
MAX_PAGE = 100_000


@dataclass(frozen=True)
class LookaheadPage:
    items: list[Any]
    number: int
    has_next: bool
    page_size: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.page_size + 1 if self.items else 0

    @property
    def end_index(self) -> int:
        return self.start_index + len(self.items) - 1 if self.items else 0


def page_number(params: QueryDict, name: str = "page") -> int:
    try:
        return max(1, min(int(params.get(name, "1")), MAX_PAGE))
    except ValueError:
        return 1


def paginate(queryset: QuerySet, number: int, page_size: int = DEFAULT_PAGE_SIZE) -> LookaheadPage:
    """Page ``number`` (1 to ``MAX_PAGE``); any other number is an ``OutOfRange`` on ``page``."""
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= MAX_PAGE:
        raise OutOfRange("page", f"must be a whole number from 1 to {MAX_PAGE}")
    offset = (number - 1) * page_size
    rows = list(queryset[offset : offset + page_size + 1])
    return LookaheadPage(rows[:page_size], number, len(rows) > page_size, page_size)


def query_without_page(params: QueryDict) -> str:
    """The current filters as a query string, for next/previous links."""
    copy = params.copy()
    copy.pop("page", None)
    return copy.urlencode()
