"""A patient's search page (``Observation?patient=<id>&_count=50``) with its SQL compiled once.

The page a SMART app or a chart opens first is one patient's resources of a type. Built
through the ORM on every request, its queries cost more CPU to compile (a queryset per
source, the sources' counts, the page) than the database spends answering them. Here each
source compiles its count and its page once per database and *number of sites* in the
reader's scope — with sentinel integers where the patient and the site ids go, as
``PreparedQuery`` does for one value — and a search binds the real values.

Only the shape "``patient`` and nothing else" (paging aside) is served here; any other
criterion, a sort, or a source whose scope is not a site path goes the ORM's way
(``searching.run_search``). The rows, their order, the counts and the access are those of
``ModelSource.match``: the same querysets compiled, the site ids those ``restrict`` binds
(``site_ids_for`` the source's permission), and no rows where that list is empty.
``tests/fhir/test_fhir_patient_search.py`` holds the two paths to the same pages.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Q, QuerySet, prefetch_related_objects
from django.db.models.query import get_related_populators

from ketaclinic.apps.accounts.scoping import at_sites, site_ids_for
from ketaclinic.apps.web.prepared_query import SENTINEL
from ketaclinic.fhir.sources import BIGGEST_KEY, Criteria, ModelSource, Source

PATIENT = SENTINEL  # where the patient's id goes; site ids go at SENTINEL - 1, - 2, ...


def _site_sentinels(n: int) -> list[int]:
    return [SENTINEL - 1 - index for index in range(n)]


def patient_only(criteria: Criteria) -> int | None:
    """The patient's id when ``criteria`` asks for one patient's resources and nothing else."""
    patient = criteria.patient
    if patient is None or not patient.isdecimal() or int(patient) >= BIGGEST_KEY:
        return None
    if criteria.ids or criteria.codes or criteria.categories or criteria.statuses:
        return None
    if criteria.dates or criteria.last_updated or criteria.extra:
        return None
    if criteria.site_ids is not None or criteria.sort is not None:
        return None
    return int(patient)


def _slots(params: list[Any], n_sites: int) -> tuple[tuple[int, int], ...]:
    """(parameter index, value index) for each sentinel in ``params``: value 0 is the
    patient, 1..n the sites. Every sentinel must be a parameter (not folded into the SQL)."""
    wanted = {PATIENT: 0} | {s: i + 1 for i, s in enumerate(_site_sentinels(n_sites))}
    slots = tuple(
        (index, wanted[param])
        for index, param in enumerate(params)
        if type(param) is int and param in wanted
    )
    if {value for _index, value in slots} != set(wanted.values()):
        raise ValueError("a prepared patient search must pass every value as a parameter")
    return slots


@dataclass(frozen=True)
class _Statement:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, int], ...]

    def bind(self, values: list[int]) -> list[Any]:
        bound = list(self.params)
        for index, value in self.slots:
            bound[index] = values[value]
        return bound


@dataclass(frozen=True)
class PatientScan:
    """One source's rows of one patient at ``n`` sites: the inner SQL of its count (as
    ``searching.count_together`` wraps it), its page in ``pk`` order (``LIMIT``/``OFFSET``
    bound), and how a fetched row becomes what the source's renderer reads."""

    count: _Statement
    page: _Statement
    rows: Callable[[list[tuple], str], list[Any]]


def _tuple_rows(source: ModelSource, compiler: Any, using: str):
    """Rows as the source's named tuples, converted as ``ModelSource._light`` converts them."""
    converters = source.tuple_converters(compiler, connections[using])
    make = source.row_class._make

    def rows(fetched: list[tuple], _using: str) -> list[Any]:
        if not fetched:  # rows deleted since they were counted
            return []
        if not any(converters):
            return list(map(make, fetched))
        columns = [
            list(map(convert, column)) if convert is not None else column
            for convert, column in zip(converters, zip(*fetched, strict=True), strict=True)
        ]
        return list(map(make, zip(*columns, strict=True)))

    return rows


def _instance_rows(queryset: QuerySet, compiler: Any, using: str):
    """Rows as model instances, built the way ``QuerySet`` builds them (``ModelIterable``):
    the model's columns, its ``select_related`` objects, its annotations (the time of last
    change an Encounter renders), then its ``prefetch_related`` lookups for the page."""
    select, info = compiler.select, compiler.klass_info
    model = info["model"]
    start, end = info["select_fields"][0], info["select_fields"][-1] + 1
    attnames = [column.target.attname for column, _sql, _alias in select[start:end]]
    populators = get_related_populators(info, select, using)  # type: ignore[call-arg]
    annotations = tuple(compiler.annotation_col_map.items())
    converters = compiler.get_converters(
        [column for column, _s, _a in select[: compiler.col_count]]
    )
    lookups = tuple(queryset._prefetch_related_lookups)  # type: ignore[attr-defined]

    def rows(fetched: list[tuple], db: str) -> list[Any]:
        found = []
        converted = compiler.apply_converters(fetched, converters) if converters else fetched
        for row in converted:
            instance = model.from_db(db, attnames, row[start:end])
            for populator in populators:
                populator.populate(row, instance)
            for name, position in annotations:
                setattr(instance, name, row[position])
            found.append(instance)
        if lookups and found:
            prefetch_related_objects(found, *lookups)
        return found

    return rows


def _compile(source: ModelSource, n_sites: int, using: str) -> PatientScan:
    """The source's match for one patient at ``n_sites`` sites (``ModelSource.match`` with
    ``Criteria(patient=...)``, scoped as ``restrict`` scopes it), compiled."""
    queryset = at_sites(
        source.model._default_manager.all(),
        _site_sentinels(n_sites),
        site_path=str(source.scope).removesuffix("_id"),
    )
    matched = source.narrowed(queryset, with_updated=False)
    matched = matched.filter(Q(**{str(source.patient_field): PATIENT})).order_by("pk")
    inner = matched.order_by().values("pk")
    count_sql, count_params = inner.query.get_compiler(using).as_sql()
    paged = source.tuple_values(matched) if source.columns else matched
    compiler = paged.query.get_compiler(using)
    page_sql, page_params = compiler.as_sql()
    if compiler.query.low_mark or compiler.query.high_mark is not None:
        raise ValueError("a prepared page is compiled unsliced")
    page_params = [*page_params, PATIENT, PATIENT]  # LIMIT and OFFSET, rebound below
    rows = (
        _tuple_rows(source, compiler, using)
        if source.columns
        else _instance_rows(paged, compiler, using)
    )
    page_slots = _slots(page_params[:-2], n_sites)
    limits = len(page_params) - 2
    return PatientScan(
        count=_Statement(count_sql, tuple(count_params), _slots(count_params, n_sites)),
        page=_Statement(
            f"{page_sql} LIMIT %s OFFSET %s",
            tuple(page_params),
            (*page_slots, (limits, -2), (limits + 1, -1)),
        ),
        rows=rows,
    )


_SCANS: dict[tuple[int, int, str], PatientScan] = {}
_LOCK = threading.Lock()


def _scan(source: ModelSource, n_sites: int, using: str) -> PatientScan:
    key = (id(source), n_sites, using)
    scan = _SCANS.get(key)
    if scan is None:
        with _LOCK:
            scan = _SCANS.get(key) or _compile(source, n_sites, using)
            _SCANS[key] = scan
    return scan


def preparable(sources: tuple[Source, ...]) -> bool:
    """Whether every source of a type is a table scoped by a site path (staff, organisations
    and computed lists are not)."""
    return all(
        isinstance(s, ModelSource) and isinstance(s.scope, str) and s.patient_field is not None
        for s in sources
    )


def patient_page(
    user: Any, sources: tuple[Source, ...], patient: int, offset: int, count: int
) -> tuple[int, list[tuple[dict, int | None]]]:
    """The total and one page (``offset``, ``count``) of ``patient``'s resources from
    ``sources`` (all ``preparable``), as ``user`` may read them: the counts in one query, then
    the page's rows source by source, as ``searching.run_search`` pages them."""
    allowed: dict[str, bool] = {}
    using = DEFAULT_DB_ALIAS
    plans: list[tuple[ModelSource, PatientScan, list[int]] | None] = []
    for source in cast(tuple[ModelSource, ...], sources):  # checked by ``preparable``
        permission = source.permission
        if permission not in allowed:
            allowed[permission] = source.allowed(user)
        sites = site_ids_for(user, permission) if allowed[permission] else []
        if not sites:
            plans.append(None)
            continue
        using = source.model._default_manager.db
        plans.append((source, _scan(source, len(sites), using), [patient, *sites]))
    counts = _counts(plans, using)
    resources: list[tuple[dict, int | None]] = []
    skip, room = offset, count
    with connections[using].cursor() as cursor:
        for plan, n in zip(plans, counts, strict=True):
            if room <= 0:
                break
            if plan is None or skip >= n:  # no plan: nothing to read, its count is 0
                skip -= n
                continue
            source, scan, values = plan
            cursor.execute(scan.page.sql, scan.page.bind([*values, room, skip]))
            render, patient_id_of = source.render, source.patient_id_of
            for row in scan.rows(cursor.fetchall(), using):
                resources.append((render(row), patient_id_of(row)))
            room = count - len(resources)
            skip = 0
    return sum(counts), resources


def _counts(plans: list[tuple[ModelSource, PatientScan, list[int]] | None], using: str) -> list:
    """Each source's count in one round trip; sources with the same SQL and values (blood
    pressure, heart rate and SpO2 are one vital-signs row each) counted once."""
    distinct: dict[tuple, int] = {}
    keys: list[tuple | None] = []
    for plan in plans:
        if plan is None:
            keys.append(None)
            continue
        _source, scan, values = plan
        key = (scan.count.sql, tuple(scan.count.bind(values)))
        distinct.setdefault(key, len(distinct))
        keys.append(key)
    if not distinct:
        return [0] * len(plans)
    parts, params = [], []
    for n, (sql, bound) in enumerate(distinct):
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) counted_{n})")  # noqa: S608 - SQL compiled by Django; values bound  # nosec B608
        params.extend(bound)
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        numbers = [int(number) for number in cursor.fetchone()]
    return [0 if key is None else numbers[distinct[key]] for key in keys]
