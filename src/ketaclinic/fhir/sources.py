"""Where each FHIR resource comes from, who may read it, and how search narrows it.

A ``ModelSource`` is one table (or one kind of row in it) giving exactly one resource per
row, so paging counts rows. A resource type may have several sources (Observation: blood
pressure, heart rate, ... from the same vital-sign rows, weights, scale totals); search
walks them in a fixed order. Access is the pages' access: the source's permission, then
site scoping through ``accounts.scoping`` — another site's record is a 404.
"""

from __future__ import annotations

import datetime as dt
from collections import namedtuple
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from operator import attrgetter
from typing import Any

from django.db import connections
from django.db.models import F, Prefetch, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.db.models.sql.constants import MULTI

from ketaclinic.apps.accounts.scoping import holds_at, restrict, site_ids_for
from ketaclinic.apps.web.prepared_query import PreparedQuery
from ketaclinic.fhir.elements import instant
from ketaclinic.fhir.responses import ndjson_line
from ketaclinic.fhir.search import DateRange, Token

NOTHING = None  # a criterion no row of a source can meet
PREFETCH_CHUNK = 500
BIGGEST_KEY = 2**63  # past it no row can match (and SQLite's driver would overflow)


@dataclass
class Criteria:
    """A search's parsed parameters (all combined with AND; values of one parameter OR)."""

    ids: list[str] = field(default_factory=list)
    patient: str | None = None
    codes: list[Token] = field(default_factory=list)
    categories: list[Token] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    dates: list[DateRange] = field(default_factory=list)
    last_updated: list[DateRange] = field(default_factory=list)
    extra: dict[str, list[str]] = field(default_factory=dict)
    site_ids: list[int] | None = None  # a group export: only these sites' records
    sort: tuple[str, bool] | None = None  # (``date`` or ``_lastUpdated``, descending)


def _sqlite_instant(zone: dt.tzinfo) -> Callable[[dt.datetime | str | None], dt.datetime | None]:
    """SQLite keeps an aware datetime as text in the connection's zone (UTC), which Django's
    connection already parses to a naive datetime: this gives the value Django's converter
    returns, for a fifth of its cost."""

    def convert(value: dt.datetime | str | None) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        return value.replace(tzinfo=zone)

    return convert


def sqlite_instant_text(value: str | None) -> str | None:
    """SQLite's text of a UTC instant (Django writes ``str`` of the naive UTC datetime:
    ``2026-03-10 14:00:00`` or ``...:00.250000``) as the FHIR instant that ``isoformat`` of
    the aware datetime gives (``2026-03-10T14:00:00+00:00``), without making a datetime:
    a twentieth of the cost of parsing it and printing it again."""
    if value is None:
        return None
    if len(value) in (19, 26) and value[10] == " ":
        return f"{value[:10]}T{value[11:]}+00:00"
    return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC).isoformat()


def _instant_of(convert: Callable[[Any], Any] | None) -> Callable[[Any], str | None]:
    """Django's converter of a datetime column, then the FHIR instant of its value."""
    if convert is None:
        return instant
    return lambda value: instant(convert(value))


def _sqlite_day(value: dt.date | str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def column_converters(expressions, connection) -> list[Callable[[Any], Any] | None]:
    """One converter per selected column: a fast one for SQLite's dates and times, else
    Django's own (``None`` where the database's value is already the Python value)."""
    out: list[Callable[[Any], Any] | None] = []
    for expression in expressions:
        field_type = expression.output_field.get_internal_type()
        if connection.vendor == "sqlite" and field_type == "DateTimeField":
            out.append(_sqlite_instant(connection.timezone))
            continue
        if connection.vendor == "sqlite" and field_type == "DateField":
            out.append(_sqlite_day)
            continue
        django = [
            *connection.ops.get_db_converters(expression),
            *expression.get_db_converters(connection),
        ]
        if not django:
            out.append(None)
            continue

        def convert(
            value: Any,
            _steps: tuple = tuple(django),
            _expression: Any = expression,
            _connection: Any = connection,
        ) -> Any:
            for step in _steps:
                value = step(value, _expression, _connection)
            return value

        out.append(convert)
    return out


class Source:
    resource_type: str
    permission: str

    def allowed(self, user: Any) -> bool:
        return bool(user.has_perm(self.permission))

    def owns(self, resource_id: str) -> bool:
        raise NotImplementedError

    def match(self, user: Any, criteria: Criteria, memo: dict | None = None) -> Any:
        """What ``user`` may read of this source and ``criteria`` selects (``memo``: shared by
        the sources of one search)."""
        raise NotImplementedError

    def count(self, matched: Any) -> int:
        raise NotImplementedError

    def sort_keys(self, matched: Any, sort: tuple[str, bool], limit: int) -> list:
        raise NotImplementedError

    def fetch(self, matched: Any, keys: list) -> dict[Any, tuple[dict, int | None]]:
        raise NotImplementedError

    def slice(self, matched: Any, offset: int, limit: int) -> list[tuple[dict, int | None]]:
        """Resources with the id of the patient each belongs to (``None``: not patient data)."""
        raise NotImplementedError

    def rows(self, matched: Any, chunk_size: int = 2000) -> Iterator[tuple[dict, int | None]]:
        """Every matching resource, streamed (bulk export, ``$everything``)."""
        raise NotImplementedError

    def read(
        self, user: Any, resource_id: str, patients: dict[int, Any] | None = None
    ) -> tuple[dict, int | None] | None:
        """One resource ``user`` may read, or ``None``. A source whose row is the patient
        itself puts that row in ``patients`` (by id), for the audit event that names it."""
        raise NotImplementedError

    def ndjson(self, matched: Any, chunk_size: int = 2000) -> Iterator[tuple[bytes, int]]:
        """The export's NDJSON lines for ``matched`` (one per resource), in blocks."""
        for resource, _patient_id in self.rows(matched, chunk_size):
            yield ndjson_line(resource), 1


@dataclass
class ModelSource(Source):
    resource_type: str
    model: Any
    permission: str
    render: Callable[[Any], dict]
    scope: str | Callable[[QuerySet, list[int]], QuerySet]
    prefix: str = ""
    patient_field: str | None = None
    date_field: str | None = None
    date_is_date: bool = False
    updated: Any = None
    select: tuple[str, ...] = ()
    only: tuple[str, ...] = ()  # the columns the renderer reads (exports convert far fewer)
    # For the largest tables: (attribute, lookup) pairs the renderer reads. Rows are then
    # fetched as tuples (no model instances, no Django converters per value) into a named
    # tuple with those attributes, by read, search and export alike, so the renderer sees
    # the same row whichever asks.
    columns: tuple[tuple[str, str], ...] = ()
    prefetch: tuple[str | Prefetch, ...] = ()
    where: Q = field(default_factory=Q)
    codings: tuple[tuple[str, str], ...] | None = None
    code_q: Callable[[Token], Q | None] | None = None
    categories: tuple[tuple[str, str], ...] = ()
    status_q: dict[str, Q] = field(default_factory=dict)
    extra: dict[str, Callable[[str], Q | None]] = field(default_factory=dict)
    # Columns (names in ``columns``) the renderer only prints as FHIR instants: they reach it
    # as that text (``elements.instant`` of the value), read on SQLite without a datetime.
    instants: tuple[str, ...] = ()
    # The renderer reads ``fhir_updated`` (the time of last change, annotated): a read then
    # takes the compiled-per-request path, which keeps annotations on the instance.
    renders_updated: bool = False

    # Ids ------------------------------------------------------------------------------
    def owns(self, resource_id: str) -> bool:
        if self.prefix:
            head, _dash, tail = resource_id.partition("-")
            return head == self.prefix and tail.isdecimal()
        return resource_id.isdecimal()

    def pk_of(self, resource_id: str) -> int:
        return int(resource_id.partition("-")[2] if self.prefix else resource_id)

    # Querying -------------------------------------------------------------------------
    def base(
        self,
        user: Any,
        only_sites: list[int] | None = None,
        memo: dict | None = None,
        *,
        with_updated: bool = True,
    ) -> QuerySet:
        """The rows ``user`` may read. ``memo`` (one search's) keeps the site-scoped queryset
        of each table, so sources reading one table (four kinds of vital signs) scope it
        once; ``with_updated=False`` leaves out the time of last change where nothing reads
        it (tuple sources not filtered or sorted by it)."""
        key = (self.model, self.permission, self.scope, tuple(only_sites or ()), only_sites is None)
        queryset = memo.get(key) if memo is not None else None
        if queryset is None:
            queryset = self.model._default_manager.all()
            if callable(self.scope):
                site_ids = site_ids_for(user, self.permission)
                if only_sites is not None:
                    site_ids = [s for s in site_ids if s in only_sites]
                queryset = self.scope(queryset, site_ids)
            else:
                path = self.scope.removesuffix("_id")
                queryset = restrict(
                    queryset, user, self.permission, within=only_sites, site_path=path
                )
            if memo is not None:
                memo[key] = queryset
        return self.narrowed(queryset, with_updated=with_updated)

    def narrowed(self, queryset: QuerySet, *, with_updated: bool = True) -> QuerySet:
        """``queryset`` (scoped) as this source reads it: its kind of row, the time of last
        change where asked, and the related rows its renderer reads."""
        if self.where:
            queryset = queryset.filter(self.where)
        if with_updated or not self.columns:
            queryset = queryset.annotate(fhir_updated=self.updated or F("pk"))
        if self.columns:  # read as tuples: no related objects to load
            return queryset
        if self.select:
            queryset = queryset.select_related(*self.select)
        if self.only:
            queryset = queryset.only(*self.only)
        if self.prefetch:
            queryset = queryset.prefetch_related(*self.prefetch)
        return queryset

    def _any(self, tokens: Iterable[Token], static: tuple[tuple[str, str], ...] | None, dynamic):
        tokens = list(tokens)
        if static is not None:
            hit = any(t.matches(system, code) for t in tokens for system, code in static)
            return Q() if hit else NOTHING
        if dynamic is None:
            return NOTHING
        parts = [q for q in (dynamic(t) for t in tokens) if q is not None]
        if not parts:
            return NOTHING
        combined = parts[0]
        for part in parts[1:]:
            combined |= part
        return combined

    def conditions(self, criteria: Criteria) -> Q | None:
        q = Q()
        if criteria.ids:
            pks = [pk for i in criteria.ids if self.owns(i) and (pk := self.pk_of(i)) < BIGGEST_KEY]
            if not pks:
                return NOTHING
            q &= Q(pk__in=pks)
        if criteria.patient is not None:
            if self.patient_field is None or not criteria.patient.isdecimal():
                return NOTHING
            if (
                int(criteria.patient) >= BIGGEST_KEY
            ):  # no such row; the count's raw SQL would overflow
                return NOTHING
            q &= Q(**{self.patient_field: int(criteria.patient)})
        if criteria.codes:
            part = self._any(criteria.codes, self.codings, self.code_q)
            if part is NOTHING:
                return NOTHING
            q &= part
        if criteria.categories:
            part = self._any(criteria.categories, self.categories, None)
            if part is NOTHING:
                return NOTHING
            q &= part
        if criteria.statuses:
            parts = [self.status_q[s] for s in criteria.statuses if s in self.status_q]
            if not parts:
                return NOTHING
            either = parts[0]
            for part in parts[1:]:
                either |= part
            q &= either
        for date in criteria.dates:
            if self.date_field is None:
                return NOTHING
            q &= date.q(self.date_field, is_date=self.date_is_date)
        if criteria.last_updated and self.updated is None:
            return NOTHING  # no time of last change is kept for it (its "updated" is its pk)
        for date in criteria.last_updated:
            q &= date.q("fhir_updated")
        for name, values in criteria.extra.items():
            make = self.extra.get(name)
            parts = [p for v in values if (p := make(v)) is not None] if make else []
            if not parts:
                return NOTHING
            either = parts[0]
            for part in parts[1:]:
                either |= part
            q &= either
        return q

    def match(self, user: Any, criteria: Criteria, memo: dict | None = None) -> QuerySet | None:
        if not self.allowed(user):
            return None
        q = self.conditions(criteria)
        if q is NOTHING:
            return None
        with_updated = bool(criteria.last_updated) or (
            self.date_field == "fhir_updated" and bool(criteria.dates or criteria.sort)
        )
        with_updated = with_updated or (criteria.sort is not None and criteria.sort[0] != "date")
        queryset = self.base(user, criteria.site_ids, memo, with_updated=with_updated)
        return (queryset.filter(q) if q else queryset).order_by("pk")

    def count(self, matched: QuerySet | None) -> int:
        return 0 if matched is None else matched.count()

    def sort_keys(self, matched: QuerySet | None, sort: tuple[str, bool], limit: int) -> list:
        """The first ``limit`` (value, pk) pairs of ``matched`` in ``sort`` order (``date``:
        the type's date; ``_lastUpdated``: the time of last change), pk breaking ties."""
        if matched is None or limit <= 0:
            return []
        name, descending = sort
        field = self.date_field if name == "date" else "fhir_updated"
        if field is None or (field == "fhir_updated" and self.updated is None):
            return [(None, pk) for pk in matched.values_list("pk", flat=True)[:limit]]
        order = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
        ordered = matched.order_by(order, "-pk" if descending else "pk")
        return list(ordered.values_list(field, "pk")[:limit])

    def fetch(self, matched: QuerySet | None, keys: list) -> dict[Any, tuple[dict, int | None]]:
        """The resources of rows ``keys`` (pks) of ``matched``, by key."""
        if matched is None or not keys:
            return {}
        found = matched.filter(pk__in=keys)
        rows = self._light(found) if self.columns else found
        return {row.pk: (self.render(row), self.patient_id_of(row)) for row in rows}

    @cached_property
    def patient_id_of(self) -> Callable[[Any], int | None]:
        """The row's patient id (``None``: not patient data), read without walking paths."""
        if self.patient_field is None:
            return lambda row: None
        if self.columns:
            for name, lookup in self.columns:
                if lookup == self.patient_field:
                    return attrgetter(name)
            raise ValueError(f"columns of {self.resource_type} lack {self.patient_field}")
        return attrgetter(self.patient_field.replace("__", "."))

    @cached_property
    def row_class(self) -> Any:
        return namedtuple(f"{self.model.__name__}Row", [name for name, _lookup in self.columns])

    def _instants_as_text(self, connection: Any) -> bool:
        """Whether ``instants`` are read as SQLite's own text (its zone is UTC: Django's)."""
        zone = getattr(connection, "timezone", None)
        return bool(self.instants) and connection.vendor == "sqlite" and zone == dt.UTC

    def tuple_values(self, matched: QuerySet) -> QuerySet:
        """``matched`` as tuples of ``columns`` (``instants`` as text on SQLite: a column
        cast is a column the driver does not parse)."""
        as_text = self._instants_as_text(connections[matched.db])
        return matched.values_list(
            *(
                Cast(lookup, output_field=TextField())
                if as_text and name in self.instants
                else lookup
                for name, lookup in self.columns
            )
        )

    def tuple_converters(self, compiler: Any, connection: Any) -> list:
        """One converter per column of ``tuple_values``'s compiled query."""
        expressions = [column for column, _sql, _alias in compiler.select]
        if len(expressions) != len(self.columns):
            raise ValueError(f"{self.resource_type} columns select {len(expressions)} values")
        converters: list = column_converters(expressions, connection)
        as_text = self._instants_as_text(connection)
        for index, (name, _lookup) in enumerate(self.columns):
            if name in self.instants:
                converters[index] = (
                    sqlite_instant_text if as_text else _instant_of(converters[index])
                )
        return converters

    @cached_property
    def _instant_positions(self) -> tuple[int, ...]:
        return tuple(i for i, (name, _lookup) in enumerate(self.columns) if name in self.instants)

    def _light_chunks(self, matched: QuerySet, chunk_size: int = 0) -> Iterator[list]:
        """The rows of ``matched`` as named tuples of ``columns``, converted column by column,
        a list per chunk; with ``chunk_size``, streamed (on PostgreSQL a server-side cursor,
        as ``QuerySet.iterator``)."""
        values = self.tuple_values(matched)
        compiler = values.query.get_compiler(values.db)
        chunks = compiler.execute_sql(
            MULTI, chunked_fetch=chunk_size > 0, chunk_size=chunk_size or 100
        )
        if chunks is None:  # an empty IN () short-cut
            return
        converters = self.tuple_converters(compiler, connections[values.db])
        make = self.row_class._make
        if not any(converters):
            for chunk in chunks:
                yield list(map(make, chunk))
            return
        for chunk in chunks:  # column by column: one C-level loop per column, not per value
            columns = [
                list(map(convert, column)) if convert is not None else column
                for convert, column in zip(converters, zip(*chunk, strict=True), strict=True)
            ]
            yield list(map(make, zip(*columns, strict=True)))

    def _light(self, matched: QuerySet, chunk_size: int = 0) -> Iterator[Any]:
        for chunk in self._light_chunks(matched, chunk_size):
            yield from chunk

    def ndjson(
        self, matched: QuerySet | None, chunk_size: int = 2000
    ) -> Iterator[tuple[bytes, int]]:
        """The export's lines for ``matched``, a block of bytes and its line count per chunk:
        the same renderer and encoder as a read, in the fewest Python calls per row."""
        if matched is None or not self.columns:
            yield from super().ndjson(matched, chunk_size)
            return
        render = self.render
        for chunk in self._light_chunks(matched, chunk_size):
            yield b"".join([ndjson_line(render(row)) for row in chunk]), len(chunk)

    def slice(
        self, matched: QuerySet | None, offset: int, limit: int
    ) -> list[tuple[dict, int | None]]:
        if matched is None or limit <= 0:
            return []
        window = matched[offset : offset + limit]
        found = self._light(window) if self.columns else window
        render, patient_id_of = self.render, self.patient_id_of
        return [(render(row), patient_id_of(row)) for row in found]

    def rows(
        self, matched: QuerySet | None, chunk_size: int = 2000
    ) -> Iterator[tuple[dict, int | None]]:
        """Every matching row's resource, streamed (for exports): never all in memory."""
        if matched is None:
            return
        render, patient_id_of = self.render, self.patient_id_of
        if self.columns:
            for row in self._light(matched, chunk_size):
                yield render(row), patient_id_of(row)
            return
        if self.prefetch:  # each chunk's prefetch is one IN list: keep it within SQLite's limits
            chunk_size = min(chunk_size, PREFETCH_CHUNK)
        for row in matched.iterator(chunk_size=chunk_size):
            yield render(row), patient_id_of(row)

    @cached_property
    def _by_key(self) -> PreparedQuery | None:
        """The row by its key with its site id, compiled once (``PreparedQuery``): a read
        then checks the site on the row, as ``accounts.scoping`` does for a page's record.
        ``None`` where the rows' scope is not one site path (staff, organisations), the
        renderer needs prefetched rows, or reads the annotated time of last change."""
        scope = self.scope
        if callable(scope) or self.prefetch or self.renders_updated:
            return None
        manager, where = self.model._default_manager, self.where
        if self.columns:
            lookups = [lookup for _name, lookup in self.columns]
            return PreparedQuery(
                lambda pk: manager.filter(where, pk=pk).order_by().values_list(*lookups, scope)
            )
        site = scope.removesuffix("_id")
        hops = site.rpartition("__")[0]
        related = [*self.select, hops] if hops else list(self.select)
        only = [*self.only, site] if self.only else []

        def build(pk: int) -> QuerySet:
            queryset = manager.filter(where, pk=pk).order_by()
            queryset = queryset.select_related(*related) if related else queryset
            return queryset.only(*only) if only else queryset

        return PreparedQuery(build)

    @cached_property
    def _site_id_of(self) -> Callable[[Any], Any]:
        """The site id of a row that ``_by_key`` returned (a model instance)."""
        return attrgetter(str(self.scope).replace("__", "."))

    def _read_by_key(
        self, prepared: PreparedQuery, user: Any, pk: int, patients: dict[int, Any] | None
    ) -> tuple[dict, int | None] | None:
        if not -BIGGEST_KEY <= pk < BIGGEST_KEY:
            return None
        if self.columns:
            found = prepared.rows(pk)
            if not found:
                return None
            *values, site_id = found[0]
            for index in self._instant_positions:  # as ``tuple_converters`` gives them
                values[index] = instant(values[index])
            row = self.row_class._make(values)
        else:
            instances = prepared.instances(pk)
            if not instances:
                return None
            row = instances[0]
            site_id = self._site_id_of(row)
        if not holds_at(user, self.permission, site_id):
            return None
        if patients is not None and self.patient_field == "pk" and not self.columns:
            patients[row.pk] = row  # the Patient itself, its site loaded: no second query
        return self.render(row), self.patient_id_of(row)

    def read(
        self, user: Any, resource_id: str, patients: dict[int, Any] | None = None
    ) -> tuple[dict, int | None] | None:
        """One resource ``user`` may read, or ``None`` (another site's is as unknown as a
        missing one)."""
        if not self.owns(resource_id):
            return None
        prepared = self._by_key
        if prepared is not None:
            return self._read_by_key(prepared, user, self.pk_of(resource_id), patients)
        matched = self.base(user).filter(pk=self.pk_of(resource_id))
        row = next(self._light(matched), None) if self.columns else matched.first()
        if row is None:
            return None
        return self.render(row), self.patient_id_of(row)


@dataclass
class ListSource(Source):
    """Resources computed in Python from a short list (instruments, chairs): ``_id`` only."""

    resource_type: str
    permission: str
    items: Callable[[Any], list[dict]]
    prefix: str = ""

    def owns(self, resource_id: str) -> bool:
        return not self.prefix or resource_id.startswith(f"{self.prefix}-")

    def match(self, user: Any, criteria: Criteria, memo: dict | None = None) -> list[dict] | None:
        if not self.allowed(user):
            return None
        if criteria.patient or criteria.codes or criteria.categories or criteria.statuses:
            return None
        if criteria.dates or criteria.last_updated or criteria.extra:
            return None
        resources = self.items(user)
        if criteria.ids:
            resources = [r for r in resources if r["id"] in criteria.ids]
        return resources

    def count(self, matched: list[dict] | None) -> int:
        return len(matched or [])

    def sort_keys(self, matched: list[dict] | None, sort: tuple[str, bool], limit: int) -> list:
        return [(None, index) for index in range(min(len(matched or []), limit))]

    def fetch(self, matched: list[dict] | None, keys: list) -> dict[Any, tuple[dict, int | None]]:
        return {index: ((matched or [])[index], None) for index in keys}

    def slice(
        self, matched: list[dict] | None, offset: int, limit: int
    ) -> list[tuple[dict, int | None]]:
        return [(r, None) for r in (matched or [])[offset : offset + max(limit, 0)]]

    def rows(
        self, matched: list[dict] | None, chunk_size: int = 2000
    ) -> Iterator[tuple[dict, int | None]]:
        for resource in matched or []:
            yield resource, None

    def read(
        self, user: Any, resource_id: str, patients: dict[int, Any] | None = None
    ) -> tuple[dict, int | None] | None:
        if not self.owns(resource_id):
            return None
        for resource in self.items(user):
            if resource["id"] == resource_id:
                return resource, None
        return None
