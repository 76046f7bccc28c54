"""Running a search: query parameters -> criteria -> one page over a type's sources -> Bundle.

Paging is by offset over a stable order (source by source, rows by id); ``next`` links carry
``_offset``. ``_include`` resolves the named references of the page's resources through the
same access checks as a read, so an include never shows what a read would refuse.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db import connections
from django.db.models import QuerySet

from ketaclinic.fhir.patient_search import patient_only, patient_page, preparable
from ketaclinic.fhir.registry import RESOURCE_TYPES, ResourceType
from ketaclinic.fhir.search import (
    SearchError,
    parse_count,
    parse_date,
    parse_offset,
    parse_reference,
    parse_token,
)
from ketaclinic.fhir.sources import Criteria

DEFAULT_COUNT = 50
MAX_COUNT = 1000
IGNORED = frozenset({"_format", "_pretty"})
PAGING = frozenset({"_count", "_offset", "_include", "_revinclude", "_sort"})
MAX_REVINCLUDED = 1000  # resources a page's _revinclude may add


def criteria_from(rt: ResourceType, params: Iterable[tuple[str, str]]) -> Criteria:
    """Parse ``params`` (name, value) for ``rt``; an unknown parameter is a ``SearchError``."""
    criteria = Criteria()
    for name, raw in params:
        if name in IGNORED or name in PAGING:
            continue
        if name not in rt.params:
            raise SearchError(name, f"is not a search parameter of {rt.name} on this server")
        values = [v for v in raw.split(",") if v != ""]
        if not values:
            raise SearchError(name, "is empty")
        if name == "_id":
            criteria.ids.extend(values)
        elif name in ("patient", "subject"):
            ids = {parse_reference(name, v, "Patient") for v in values}
            if len(ids) > 1 or (criteria.patient is not None and criteria.patient not in ids):
                raise SearchError(name, "give one patient")
            criteria.patient = ids.pop()
        elif name == "code":
            criteria.codes.extend(parse_token(name, v) for v in values)
        elif name == "category":
            criteria.categories.extend(parse_token(name, v) for v in values)
        elif name == "status":
            criteria.statuses.extend(values)
        elif name == "_lastUpdated":
            criteria.last_updated.append(parse_date(name, raw))
        elif name == rt.date_param:
            criteria.dates.append(parse_date(name, raw))
        else:
            criteria.extra.setdefault(name, []).extend(values)
    return criteria


@dataclass
class Page:
    total: int
    resources: list[tuple[dict, int | None]] = field(default_factory=list)


def run_search(user: Any, rt: ResourceType, criteria: Criteria, offset: int, count: int) -> Page:
    """One page of ``rt`` for ``criteria``: one patient's resources with SQL compiled once
    (``patient_search``), anything else through the ORM (``search_by_orm``)."""
    patient = patient_only(criteria)
    if patient is not None and preparable(rt.sources):
        total, resources = patient_page(user, rt.sources, patient, offset, count)
        return Page(total=total, resources=resources)
    return search_by_orm(user, rt, criteria, offset, count)


def search_by_orm(user: Any, rt: ResourceType, criteria: Criteria, offset: int, count: int) -> Page:
    """One page, its querysets built and compiled for this request (every criterion)."""
    memo: dict = {}
    matched = [(source, source.match(user, criteria, memo)) for source in rt.sources]
    counts = _counts(matched)
    page = Page(total=sum(counts))
    if criteria.sort is not None:
        page.resources = _sorted_window(matched, criteria.sort, offset, count)
        return page
    skip, room = offset, count
    for (source, found), n in zip(matched, counts, strict=True):
        if room <= 0:
            break
        if skip >= n:
            skip -= n
            continue
        rows = source.slice(found, skip, room)
        page.resources.extend(rows)
        room -= len(rows)
        skip = 0
    return page


def _instant_key(value: Any) -> float | None:
    """A date or time as one comparable number (a date is its first instant, UTC)."""
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.timestamp()


def _sorted_window(
    matched: list[tuple[Any, Any]], sort: tuple[str, bool], offset: int, count: int
) -> list[tuple[dict, int | None]]:
    """One page in ``sort`` order across the type's sources: each source's first
    ``offset + count`` keys, merged; then the page's rows, fetched by key, one query a source.
    Rows without the value come last; ties go by source, then row."""
    descending = sort[1]
    merged = []
    for index, (source, found) in enumerate(matched):
        for value, key in source.sort_keys(found, sort, offset + count):
            stamp = _instant_key(value)
            order = (stamp is None, 0.0 if stamp is None else (-stamp if descending else stamp))
            merged.append((order, index, -key if descending and isinstance(key, int) else key))
    merged.sort()
    window = merged[offset : offset + count]
    wanted: dict[int, list] = {}
    for _order, index, key in window:
        wanted.setdefault(index, []).append(-key if descending and isinstance(key, int) else key)
    fetched = {
        index: matched[index][0].fetch(matched[index][1], keys) for index, keys in wanted.items()
    }
    out = []
    for _order, index, key in window:
        key = -key if descending and isinstance(key, int) else key
        if key in fetched[index]:
            out.append(fetched[index][key])
    return out


def parse_sort(rt: ResourceType, values: list[str]) -> tuple[str, bool] | None:
    """``_sort=date`` / ``-date`` / ``_lastUpdated`` / ``-_lastUpdated`` (one key)."""
    keys = [key for value in values for key in value.split(",") if key]
    if not keys:
        return None
    if len(keys) > 1:
        raise SearchError("_sort", "sort by one parameter")
    descending = keys[0].startswith("-")
    name = keys[0].removeprefix("-")
    if name not in rt.sorts:
        supported = ", ".join(rt.sorts) or "none"
        raise SearchError("_sort", f"{name} is not a sort of {rt.name} (supported: {supported})")
    return ("date" if name == rt.date_param else "_lastUpdated", descending)


def _counts(matched: list[tuple[Any, Any]]) -> list[int]:
    """Each source's count, in one query: sources reading the same rows the same way (blood
    pressure, heart rate and SpO2 are one vital-signs row each) are counted once, and the
    rest together (``SELECT (SELECT COUNT(*) ...), (SELECT COUNT(*) ...)``)."""
    keys: list[str | None] = []
    distinct: dict[str, QuerySet] = {}
    for source, found in matched:
        if isinstance(found, QuerySet):
            key = f"{source.model.__name__}:{found.query.where}"
            distinct.setdefault(key, found)
            keys.append(key)
        else:
            keys.append(None)
    numbers = dict(zip(distinct, count_together(list(distinct.values())), strict=True))
    return [
        numbers[key] if key is not None else source.count(found)
        for (source, found), key in zip(matched, keys, strict=True)
    ]


def count_together(querysets: list[QuerySet]) -> list[int]:
    """The row counts of ``querysets`` (of one database) in one round trip."""
    if len(querysets) <= 1:
        return [queryset.count() for queryset in querysets]
    parts, params = [], []
    for n, queryset in enumerate(querysets):
        inner = queryset.order_by().values("pk")
        sql, inner_params = inner.query.get_compiler(inner.db).as_sql()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) counted_{n})")  # noqa: S608 - SQL compiled by Django; values bound  # nosec B608
        params.extend(inner_params)
    with connections[querysets[0].db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return [int(number) for number in cursor.fetchone()]


def read_resource(
    user: Any, type_name: str, resource_id: str, patients: dict[int, Any] | None = None
) -> tuple[dict, int | None] | None:
    """The resource and its patient's id; ``patients``: see ``Source.read``."""
    rt = RESOURCE_TYPES.get(type_name)
    if rt is None:
        return None
    for source in rt.sources:
        if source.owns(resource_id) and source.allowed(user):
            found = source.read(user, resource_id, patients)
            if found is not None:
                return found
    return None


def references_for(resource: dict, param: str) -> list[str]:
    """The ``Type/id`` references an ``_include`` parameter names on ``resource``."""
    paths = {
        "patient": ("subject", "patient"),
        "subject": ("subject",),
        "encounter": ("encounter",),
        "context": ("context",),
        "derived-from": ("derivedFrom",),
        "performer": ("performer",),
        "recorder": ("recorder",),
        "practitioner": ("practitioner",),
        "location": ("location",),
        "organization": ("managingOrganization",),
        "condition": ("addresses",),
        "questionnaire": ("questionnaire",),
        "agent": ("agent",),
        "target": ("target",),
    }[param]
    found: list[str] = []
    if resource.get("resourceType") == "Appointment":  # references sit in participant.actor
        kind = {"patient": "Patient/", "practitioner": "Practitioner/", "location": "Location/"}
        prefix = kind.get(param)
        for participant in resource.get("participant", []) if prefix else []:
            ref = participant.get("actor", {}).get("reference", "")
            if ref.startswith(prefix):
                found.append(ref)
        return found
    for path in paths:
        value = resource.get(path)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):  # a canonical (Questionnaire)
                found.append("Questionnaire/" + item.rstrip("/").rsplit("/", 1)[-1])
            elif isinstance(item, dict):
                ref = item.get("reference") or (item.get("actor") or {}).get("reference")
                ref = ref or (item.get("location") or {}).get("reference")
                ref = ref or (item.get("who") or {}).get("reference")
                if ref and "/" in ref:
                    found.append(ref)
    return found


def parse_includes(rt: ResourceType, values: list[str]) -> list[str]:
    params = []
    for value in values:
        if value not in rt.includes:
            raise SearchError(
                "_include", f"{value} is not supported (supported: {', '.join(rt.includes)})"
            )
        params.append(value.split(":", 1)[1])
    return params


def included(user: Any, page: Page, params: list[str]) -> list[tuple[dict, int | None]]:
    seen = {f"{r['resourceType']}/{r['id']}" for r, _p in page.resources}
    out = []
    for resource, _patient in page.resources:
        for param in params:
            for ref in references_for(resource, param):
                if ref in seen:
                    continue
                seen.add(ref)
                type_name, _slash, ident = ref.partition("/")
                found = read_resource(user, type_name, ident)
                if found is not None:
                    out.append(found)
    return out


def parse_revincludes(rt: ResourceType, values: list[str]) -> list[tuple[str, str]]:
    """``_revinclude=Provenance:target``: (type, its reference parameter) pairs."""
    pairs = []
    for value in values:
        if value not in rt.revincludes:
            supported = ", ".join(rt.revincludes) or "none"
            raise SearchError("_revinclude", f"{value} is not supported (supported: {supported})")
        type_name, _colon, param = value.partition(":")
        pairs.append((type_name, param))
    return pairs


def revincluded(
    user: Any, rt: ResourceType, page: Page, pairs: list[tuple[str, str]]
) -> list[tuple[dict, int | None]]:
    """The resources of other types that refer to the page's resources, found by searching
    each with the page's references (one query per source, whatever the page's size) and
    the same access checks as any search."""
    refs = [f"{rt.name}/{resource['id']}" for resource, _p in page.resources]
    if not refs:
        return []
    seen = {f"{r['resourceType']}/{r['id']}" for r, _p in page.resources}
    out: list[tuple[dict, int | None]] = []
    for type_name, param in pairs:
        criteria = Criteria(extra={param: refs})
        memo: dict = {}
        for source in RESOURCE_TYPES[type_name].sources:
            room = MAX_REVINCLUDED - len(out)
            if room <= 0:
                return out
            for resource, patient_id in source.slice(source.match(user, criteria, memo), 0, room):
                ref = f"{resource['resourceType']}/{resource['id']}"
                if ref not in seen:
                    seen.add(ref)
                    out.append((resource, patient_id))
    return out


def bundle(
    base_url: str,
    rt: ResourceType,
    params: list[tuple[str, str]],
    page: Page,
    includes: list[tuple[dict, int | None]],
    offset: int,
    count: int,
) -> dict:
    kept = [(k, v) for k, v in params if k not in ("_offset", "_count")]

    def link(relation: str, at: int) -> dict:
        query = urlencode([*kept, ("_count", str(count)), ("_offset", str(at))])
        return {"relation": relation, "url": f"{base_url}{rt.name}?{query}"}

    links = [link("self", offset)]
    if offset + count < page.total and count > 0:
        links.append(link("next", offset + count))
    if offset > 0:
        links.append(link("previous", max(0, offset - count)))

    def entry(resource: dict, mode: str) -> dict:
        return {
            "fullUrl": f"{base_url}{resource['resourceType']}/{resource['id']}",
            "resource": resource,
            "search": {"mode": mode},
        }

    entries = [entry(r, "match") for r, _p in page.resources]
    entries += [entry(r, "include") for r, _p in includes]
    out = {"resourceType": "Bundle", "type": "searchset", "total": page.total, "link": links}
    if entries:
        out["entry"] = entries
    return out


def paging(params: dict[str, list[str]]) -> tuple[int, int]:
    counts, offsets = params.get("_count"), params.get("_offset")
    count = parse_count(counts[-1] if counts else None, DEFAULT_COUNT, MAX_COUNT)
    offset = parse_offset(offsets[-1] if offsets else None)
    return offset, count
