"""Give every request an id, a client address and an audit batch (written once, at the end).

The batch collects the events recorded outside any transaction of the view's own and inserts
them in one statement when the response is ready — including for refused and failed requests
(see ``recorder``)."""

from __future__ import annotations

import ipaddress
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from ketaclinic.apps.audit.recorder import RequestBatch

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def client_address(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or with N trusted reverse proxies the N-th address from the right of
    X-Forwarded-For (the left part is client-supplied and cannot be trusted)."""
    candidate = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXIES
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= proxies:
            candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.client_address = client_address(request)
        request.audit_batch = batch = RequestBatch()
        try:
            response = self.get_response(request)
        finally:
            batch.flush()
        response.headers["X-Request-ID"] = request.request_id
        return response
