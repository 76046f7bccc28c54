"""Running a search: query parameters -> criteria -> one page over a type's sources -> Bundle.

Paging is by offset over a stable order (source by source, rows by id); ``next`` links carry
``_offset``. ``_include`` resolves the named references of the page's resources through the
same access checks as a read, so an include never shows what a read would refuse.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

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
PAGING = frozenset({"_count", "_offset", "_include"})


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
    matched = [(source, source.match(user, criteria)) for source in rt.sources]
    counts = _counts(matched)
    page = Page(total=sum(counts))
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


def _counts(matched: list[tuple[Any, Any]]) -> list[int]:
    """Each source's count; sources reading the same rows the same way (blood pressure, heart
    rate and SpO2 are one vital-signs row each) are counted once."""
    seen: dict[str, int] = {}
    counts = []
    for source, found in matched:
        query = getattr(found, "query", None)
        key = f"{source.model.__name__}:{query.where}" if query is not None else None
        if key is None or key not in seen:
            number = source.count(found)
            if key is not None:
                seen[key] = number
        counts.append(seen[key] if key is not None else number)
    return counts


def read_resource(user: Any, type_name: str, resource_id: str) -> tuple[dict, int | None] | None:
    rt = RESOURCE_TYPES.get(type_name)
    if rt is None:
        return None
    for source in rt.sources:
        if source.owns(resource_id) and source.allowed(user):
            found = source.read(user, resource_id)
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
