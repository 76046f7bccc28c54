"""Pagination without COUNT(*): fetch one row more than a page to know if another follows.

An exact count scans the whole match on a large patient or audit table; staff need "next",
not "page 1 of 4,812".

Two ways, one template (``pagination.html``):

- ``paginate``: numbered pages (``?page=3``, read with ``page_number``: a bad number shows
  page 1, as a person would expect). OFFSET reads and throws away every row before the page,
  so page 4,000 of a long list costs 4,000 pages; keep it for lists that stay short (a
  patient's own records, a site's containers). API operations take the edge kit's ``Paging``
  (``apps/api/edge.py``), so ``?page=0`` or a number past ``MAX_PAGE`` is a 422 naming
  ``page``, never a 500.
- ``keyset_page``: for lists that grow with the clinic (patients, the audit trail). The
  links carry the sort key of the last row shown (``?after=``) or the first (``?before=``),
  and the next page is the rows past that key, read from the index in order: as cheap deep
  in the list as on its first page, and stable while rows are added (a row inserted before
  the key neither repeats a row nor skips one on the next page).
"""

from __future__ import annotations

import base64
import binascii
import json
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import QueryDict

from ketaclinic.clinical.exceptions import InputError, OutOfRange

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
    for name in ("page", "after", "before"):
        copy.pop(name, None)
    return copy.urlencode()


@dataclass(frozen=True)
class KeysetPage:
    """A page of a list read past a sort key; the links carry the key, not a number."""

    items: list[Any]
    has_next: bool
    has_previous: bool
    page_size: int
    next_cursor: str = ""
    previous_cursor: str = ""
    came_before: bool = False
    keyset: bool = True

    @property
    def audit_page(self) -> str | int:
        """What the audit event says of the page: 1 for the first, else which way it came."""
        return "before" if self.came_before else ("after" if self.has_previous else 1)

    @property
    def next_query(self) -> str:
        return f"after={self.next_cursor}"

    @property
    def previous_query(self) -> str:
        return f"before={self.previous_cursor}"


def _field_name(term: str) -> str:
    return term.lstrip("-")


def encode_cursor(row: Any, ordering: Sequence[str]) -> str:
    """The sort key of ``row`` as a short URL-safe token (JSON, base64 without padding)."""
    values = []
    for term in ordering:
        value = getattr(row, _field_name(term))
        values.append(value.isoformat() if hasattr(value, "isoformat") else value)
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str, queryset: QuerySet, ordering: Sequence[str], field: str) -> list:
    """The sort key a token carries, each value parsed by its model field; a token that is
    not one of ours is an ``InputError`` naming ``field`` (``after`` or ``before``)."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(ordering):
            raise ValueError("wrong length")
        model = queryset.model
        return [
            model._meta.get_field(_field_name(term)).to_python(value)
            for term, value in zip(ordering, values, strict=True)
        ]
    except (ValueError, TypeError, binascii.Error, ValidationError) as error:
        raise InputError(field, "is not a position in this list; start from the first page") from (
            error
        )


def _past(ordering: Sequence[str], key: list, forward: bool) -> Q:
    """Rows strictly after ``key`` in ``ordering`` (before it when not ``forward``): the
    row-value comparison (a, b, id) > (x, y, z) spelled out, as every database can use an
    index on (a, b, id) for it."""
    conditions = []
    for index, term in enumerate(ordering):
        name = _field_name(term)
        ascending = not term.startswith("-")
        lookup = "gt" if ascending == forward else "lt"
        equal = {_field_name(earlier): key[n] for n, earlier in enumerate(ordering[:index])}
        conditions.append(Q(**equal, **{f"{name}__{lookup}": key[index]}))
    return reduce(operator.or_, conditions)


def keyset_page(
    queryset: QuerySet,
    ordering: Sequence[str],
    *,
    after: str = "",
    before: str = "",
    page_size: int = DEFAULT_PAGE_SIZE,
) -> KeysetPage:
    """The page of ``queryset`` in ``ordering`` after the ``after`` token (or before the
    ``before`` token; neither: the first page). The last term of ``ordering`` must be unique
    (the primary key) so ties in the sort key have one order; the sort fields must not be
    null. A bad token is an ``InputError`` naming ``after`` or ``before``."""
    if _field_name(ordering[-1]) not in ("id", "pk"):
        raise ValueError("a keyset ordering ends with the primary key")
    if before:
        key = decode_cursor(before, queryset, ordering, "before")
        reverse = [term[1:] if term.startswith("-") else f"-{term}" for term in ordering]
        rows = list(
            queryset.filter(_past(ordering, key, forward=False)).order_by(*reverse)[: page_size + 1]
        )
        items = rows[:page_size][::-1]
        has_previous, has_next = len(rows) > page_size, True
    else:
        if after:
            key = decode_cursor(after, queryset, ordering, "after")
            queryset = queryset.filter(_past(ordering, key, forward=True))
        rows = list(queryset.order_by(*ordering)[: page_size + 1])
        items = rows[:page_size]
        has_previous, has_next = bool(after), len(rows) > page_size
    return KeysetPage(
        items=items,
        has_next=has_next and bool(items),
        has_previous=has_previous and bool(items),
        page_size=page_size,
        next_cursor=encode_cursor(items[-1], ordering) if items else "",
        previous_cursor=encode_cursor(items[0], ordering) if items else "",
        came_before=bool(before),
    )


def keyset_page_for(
    queryset: QuerySet,
    ordering: Sequence[str],
    params: QueryDict,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> KeysetPage:
    """``keyset_page`` for a page's query string; a bad token shows the first page, as a bad
    page number does."""
    try:
        return keyset_page(
            queryset,
            ordering,
            after=params.get("after", ""),
            before=params.get("before", ""),
            page_size=page_size,
        )
    except InputError:
        return keyset_page(queryset, ordering, page_size=page_size)
