"""Where each FHIR resource comes from, who may read it, and how search narrows it.

A ``ModelSource`` is one table (or one kind of row in it) giving exactly one resource per
row, so paging counts rows. A resource type may have several sources (Observation: blood
pressure, heart rate, ... from the same vital-sign rows, weights, scale totals); search
walks them in a fixed order. Access is the pages' access: the source's permission, then
site scoping through ``accounts.scoping`` — another site's record is a 404.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q, QuerySet

from ketaclinic.apps.accounts.scoping import restrict, site_ids_for
from ketaclinic.fhir.search import DateRange, Token

NOTHING = None  # a criterion no row of a source can meet
PREFETCH_CHUNK = 500


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


class Row:
    """A row fetched as a tuple, with the attributes a renderer reads (``session.patient_id``)."""


class Source:
    resource_type: str
    permission: str

    def allowed(self, user: Any) -> bool:
        return bool(user.has_perm(self.permission))

    def owns(self, resource_id: str) -> bool:
        raise NotImplementedError

    def match(self, user: Any, criteria: Criteria) -> Any:
        raise NotImplementedError

    def count(self, matched: Any) -> int:
        raise NotImplementedError

    def slice(self, matched: Any, offset: int, limit: int) -> list[tuple[dict, int | None]]:
        """Resources with the id of the patient each belongs to (``None``: not patient data)."""
        raise NotImplementedError

    def rows(self, matched: Any, chunk_size: int = 2000) -> Iterator[tuple[dict, int | None]]:
        """Every matching resource, streamed (bulk export, ``$everything``)."""
        raise NotImplementedError

    def read(self, user: Any, resource_id: str) -> tuple[dict, int | None] | None:
        raise NotImplementedError


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
    # For the largest tables: (attribute path, lookup) pairs the renderer reads; rows are then
    # fetched as tuples into light ``Row`` objects instead of model instances (a third of the
    # cost of an export of vital signs). ``read`` still loads the model.
    columns: tuple[tuple[str, str], ...] = ()
    prefetch: tuple[str, ...] = ()
    where: Q = field(default_factory=Q)
    codings: tuple[tuple[str, str], ...] | None = None
    code_q: Callable[[Token], Q | None] | None = None
    categories: tuple[tuple[str, str], ...] = ()
    status_q: dict[str, Q] = field(default_factory=dict)
    extra: dict[str, Callable[[str], Q | None]] = field(default_factory=dict)

    # Ids ------------------------------------------------------------------------------
    def owns(self, resource_id: str) -> bool:
        if self.prefix:
            head, _dash, tail = resource_id.partition("-")
            return head == self.prefix and tail.isdecimal()
        return resource_id.isdecimal()

    def pk_of(self, resource_id: str) -> int:
        return int(resource_id.partition("-")[2] if self.prefix else resource_id)

    # Querying -------------------------------------------------------------------------
    def base(self, user: Any, only_sites: list[int] | None = None) -> QuerySet:
        queryset = self.model._default_manager.filter(self.where)
        if callable(self.scope):
            site_ids = site_ids_for(user, self.permission)
            if only_sites is not None:
                site_ids = [s for s in site_ids if s in only_sites]
            queryset = self.scope(queryset, site_ids)
        else:
            path = self.scope.removesuffix("_id")
            queryset = restrict(queryset, user, self.permission, within=only_sites, site_path=path)
        queryset = queryset.annotate(fhir_updated=self.updated or F("pk"))
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
            pks = [self.pk_of(i) for i in criteria.ids if self.owns(i)]
            if not pks:
                return NOTHING
            q &= Q(pk__in=pks)
        if criteria.patient is not None:
            if self.patient_field is None or not criteria.patient.isdecimal():
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

    def match(self, user: Any, criteria: Criteria) -> QuerySet | None:
        if not self.allowed(user):
            return None
        q = self.conditions(criteria)
        if q is NOTHING:
            return None
        return self.base(user, criteria.site_ids).filter(q).order_by("pk")

    def count(self, matched: QuerySet | None) -> int:
        return 0 if matched is None else matched.count()

    def patient_id_of(self, row: Any) -> int | None:
        if self.patient_field is None:
            return None
        value = row
        for part in self.patient_field.split("__"):
            value = getattr(value, part)
        return value

    def _light(self, matched: QuerySet) -> QuerySet:
        return matched.values_list(*(lookup for _path, lookup in self.columns))

    def _row(self, values: tuple) -> Row:
        row = Row()
        for (path, _lookup), value in zip(self.columns, values, strict=True):
            target = row
            *parents, name = path.split(".")
            for parent in parents:
                target = target.__dict__.setdefault(parent, Row())
            setattr(target, name, value)
        return row

    def slice(
        self, matched: QuerySet | None, offset: int, limit: int
    ) -> list[tuple[dict, int | None]]:
        if matched is None or limit <= 0:
            return []
        if self.columns:
            found = [self._row(v) for v in self._light(matched)[offset : offset + limit]]
        else:
            found = list(matched[offset : offset + limit])
        return [(self.render(row), self.patient_id_of(row)) for row in found]

    def rows(
        self, matched: QuerySet | None, chunk_size: int = 2000
    ) -> Iterator[tuple[dict, int | None]]:
        """Every matching row's resource, streamed (for exports): never all in memory."""
        if matched is None:
            return
        if self.columns:
            for values in self._light(matched).iterator(chunk_size=chunk_size):
                row = self._row(values)
                yield self.render(row), self.patient_id_of(row)
            return
        if self.prefetch:  # each chunk's prefetch is one IN list: keep it within SQLite's limits
            chunk_size = min(chunk_size, PREFETCH_CHUNK)
        for row in matched.iterator(chunk_size=chunk_size):
            yield self.render(row), self.patient_id_of(row)

    def read(self, user: Any, resource_id: str) -> tuple[dict, int | None] | None:
        if not self.owns(resource_id):
            return None
        row = self.base(user).filter(pk=self.pk_of(resource_id)).first()
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

    def match(self, user: Any, criteria: Criteria) -> list[dict] | None:
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

    def slice(
        self, matched: list[dict] | None, offset: int, limit: int
    ) -> list[tuple[dict, int | None]]:
        return [(r, None) for r in (matched or [])[offset : offset + max(limit, 0)]]

    def rows(
        self, matched: list[dict] | None, chunk_size: int = 2000
    ) -> Iterator[tuple[dict, int | None]]:
        for resource in matched or []:
            yield resource, None

    def read(self, user: Any, resource_id: str) -> tuple[dict, int | None] | None:
        if not self.owns(resource_id):
            return None
        for resource in self.items(user):
            if resource["id"] == resource_id:
                return resource, None
        return None
