"""Deny by default: every view needs a logged-in member of staff unless it is marked public.

Django's ``LoginRequiredMiddleware`` sends an anonymous visitor to the login page for every
view that is not decorated with ``login_not_required``. A new view is therefore protected
the moment it is routed, with no decorator to forget; ``tests/web/test_route_matrix.py``
walks the URL resolver and fails on any public view missing from its allow-list.

The REST API answers an anonymous caller with ``401`` and a JSON body instead of a redirect
(a script cannot follow a login form); the API's documentation page, which people open in a
browser, redirects to the login page like any other page. An API request that carries an
``Authorization: Bearer`` header goes on to the API, which checks the token itself
(``api_auth``) and answers 401 for a bad one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

from ketaclinic.apps.accounts.api_auth import bearer_token
from ketaclinic.apps.api.edge import LOG_IN_FIRST, error_response

API_PREFIX = "/api/"
API_DOCS_SUFFIX = "/docs"


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX) and not request.path_info.rstrip("/").endswith(
        API_DOCS_SUFFIX
    )


class DenyByDefaultMiddleware(LoginRequiredMiddleware):
    """``LoginRequiredMiddleware`` with a JSON ``401`` for the API (the edge kit's envelope)."""

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        if request.path_info.startswith(API_PREFIX) and bearer_token(request) is not None:
            return None  # the API authenticates the token (``api_auth.ApiTokenAuth``)
        return super().process_view(request, view_func, view_args, view_kwargs)

    def handle_no_permission(
        self, request: HttpRequest, view_func: Callable[..., HttpResponseBase]
    ) -> HttpResponse:
        if is_api_request(request):
            return error_response(401, LOG_IN_FIRST)
        return super().handle_no_permission(request, view_func)
