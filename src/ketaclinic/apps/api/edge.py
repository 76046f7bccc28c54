"""The API edge kit: one error envelope, one permission check, one page type, for every operation.

Every refusal the REST API gives — 401, 403, 404, 409, 422, 429 — has the same body::

    {"errors": [{"field": "page", "message": "...", "code": "greater_than_equal"}]}

``field`` names the input at fault (``""`` when the refusal is about the request as a whole:
not logged in, not allowed, no such object). ``install(api)`` registers the handlers that
produce it; ``responses(...)`` documents it in the OpenAPI for every operation, and
``tests/web/test_openapi_edge.py`` fails on an operation that does not.

Operations declare who may call them with ``@requires("app.perm")`` (every permission) or
``@requires_any(...)`` (one of them), and lists take ``paging: Query[Paging]`` and answer a
``Page[ItemOut]`` built by ``page_of``.
"""

from __future__ import annotations

import inspect
import json
import math
from collections.abc import Callable, Iterable, Mapping
from functools import wraps
from typing import Annotated, Any, Generic, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import Field, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.responses import NinjaJSONEncoder

from ketaclinic.apps.web.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE, LookaheadPage, paginate
from ketaclinic.clinical.exceptions import InputError

__all__ = [
    "ERROR_STATUSES",
    "MAX_PAGE_SIZE",
    "ErrorOut",
    "ErrorsOut",
    "FieldErrors",
    "Page",
    "Paging",
    "error_body",
    "error_response",
    "install",
    "page_of",
    "requires",
    "requires_any",
    "responses",
    "row_response",
]

T = TypeVar("T")

MAX_PAGE_SIZE = 100
#: Every status an operation may refuse with, documented for each (409 where it occurs). 429:
#: any operation, for an address that has sent too many unknown API tokens (``api_auth``).
ERROR_STATUSES = (401, 403, 404, 422, 429)
#: The machine code of a refusal that is not about one field.
STATUS_CODES = {
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    409: "conflict",
    422: "invalid",
    429: "throttled",
}
DENIED = "Your role does not allow this."
LOG_IN_FIRST = "Log in first, or send an API token (Authorization: Bearer ...)."


class ErrorOut(Schema):
    field: str = Field(description="The input at fault; empty when the request as a whole is.")
    message: str
    code: str = Field(description="A stable machine code, e.g. not_found, greater_than_equal.")


class ErrorsOut(Schema):
    """The body of every 4xx answer of the API."""

    errors: list[ErrorOut]


class Paging(Schema):
    """``page`` (from 1) and ``page_size`` of a list; out of range is a 422 naming the field."""

    page: Annotated[int, Field(ge=1, le=MAX_PAGE)] = 1
    page_size: Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE


class Page(Schema, Generic[T]):
    """One page of a list. No total: ``has_next`` says whether another page follows."""

    items: list[T]
    page: int
    page_size: int
    has_next: bool


class FieldErrors(Exception):
    """Form errors (``form.errors.get_json_data()``) for the API: a 422 naming each field."""

    def __init__(self, errors: Mapping[str, Iterable[Mapping[str, str]]]) -> None:
        super().__init__("invalid input")
        self.errors = [
            {
                "field": "site_id" if field == "site" else field,
                "message": e["message"],
                "code": e["code"],
            }
            for field, field_errors in errors.items()
            for e in field_errors
        ]


def error_body(message: str, *, field: str = "", code: str) -> dict[str, list[dict[str, str]]]:
    return {"errors": [{"field": field, "message": message, "code": code}]}


def error_response(status: int, message: str, *, field: str = "", code: str = "") -> JsonResponse:
    """The envelope outside django-ninja (middleware answering before the API's view)."""
    return JsonResponse(
        error_body(message, field=field, code=code or STATUS_CODES[status]), status=status
    )


def responses(ok: Any, *also: int) -> dict[int, Any]:
    """An operation's ``response=``: its success schema(s) plus the envelope for every refusal.

    ``ok`` is a schema (answered with 200) or ``{status: schema}``; ``also`` adds 409 where
    the operation can answer it. A status already in ``ok`` (a 422 with more than the
    envelope, such as a plan's conflicts) keeps its own schema.
    """
    documented: dict[int, Any] = dict(ok) if isinstance(ok, dict) else {200: ok}
    for status in (*ERROR_STATUSES, *also):
        documented.setdefault(status, ErrorsOut)
    return documented


def row_response(schema: type[Schema], row: Any) -> HttpResponse:
    """``row``'s attributes named by ``schema``'s fields as django-ninja would answer them,
    byte for byte, without its validation round trip.

    For a schema of plain model columns (ints, strings, dates) that round trip — wrap the row,
    validate every field, dump the model again — was about a tenth of an audited API read's own
    time and changed no value. The operation still declares ``schema`` (the OpenAPI), and
    ``tests/web/test_row_response.py`` holds each schema served so to ninja's own answer.
    """
    body = {name: getattr(row, name) for name in schema.model_fields}
    response = HttpResponse("", content_type="application/json; charset=utf-8")
    response.content = json.dumps(body, cls=NinjaJSONEncoder)
    return response


def page_of(
    queryset: Any, paging: Paging, render: Callable[[Any], Any] | None = None
) -> dict[str, Any]:
    """Page ``paging.page`` of ``queryset`` as a ``Page`` body; ``render`` maps each row."""
    result: LookaheadPage = paginate(queryset, paging.page, paging.page_size)
    return page_body(result, render)


def page_body(result: LookaheadPage, render: Callable[[Any], Any] | None = None) -> dict[str, Any]:
    items = [render(row) for row in result.items] if render else result.items
    return {
        "items": items,
        "page": result.number,
        "page_size": result.page_size,
        "has_next": result.has_next,
    }


def requires(*permissions: str) -> Callable:
    """The operation needs every one of ``permissions``; otherwise 403 in the envelope."""
    return _check(lambda user: user.has_perms(permissions))


def requires_any(*permissions: str) -> Callable:
    """The operation needs at least one of ``permissions``; otherwise 403 in the envelope."""
    return _check(lambda user: any(user.has_perm(p) for p in permissions))


def _check(allowed: Callable[[Any], bool]) -> Callable:
    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not allowed(request.user):
                raise HttpError(403, DENIED)
            return view(request, *args, **kwargs)

        # django-ninja reads the parameters' annotations with the function's own globals; the
        # wrapper's are this module's, so hand it the view's signature already resolved.
        wrapped.__signature__ = inspect.signature(view, eval_str=True)  # type: ignore[attr-defined]
        return wrapped

    return decorator


def _field_of(loc: Iterable[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "payload", "query", "path", "paging")]
    return ".".join(parts) or "body"


def install(api: Any) -> None:
    """Register the handlers that answer every refusal of ``api`` in the envelope."""

    def reply(request: HttpRequest, body: dict, status: int) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [
            {
                "field": _field_of(e.get("loc", [])),
                "message": e.get("msg", "invalid"),
                "code": e.get("type", "invalid"),
            }
            for e in exc.errors
        ]
        return reply(request, {"errors": errors}, 422)

    @api.exception_handler(FieldErrors)
    def field_errors(request: HttpRequest, exc: FieldErrors) -> HttpResponse:
        return reply(request, {"errors": exc.errors}, 422)

    @api.exception_handler(InputError)
    def clinical_input_error(request: HttpRequest, exc: InputError) -> HttpResponse:
        body = error_body(exc.message, field=exc.field, code=type(exc).__name__)
        return reply(request, body, 422)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        status = exc.status_code
        message = exc.message
        if isinstance(exc, AuthenticationError) and message == "Unauthorized":
            message = LOG_IN_FIRST
        body = error_body(message, code=STATUS_CODES.get(status, "error"))
        response = reply(request, body, status)
        if isinstance(exc, Throttled) and exc.wait is not None:
            response["Retry-After"] = str(math.ceil(exc.wait))  # whole seconds (RFC 9110)
        return response

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return reply(request, error_body(str(exc) or "Not found.", code="not_found"), 404)

    @api.exception_handler(PermissionDenied)
    def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        body = error_body(str(exc) or DENIED, code="permission_denied")
        return reply(request, body, 403)
