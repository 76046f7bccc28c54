"""Response headers Django 5.2 does not set on its own."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class ContentSecurityPolicyMiddleware:
    """Send the Content-Security-Policy from settings: no inline script, no third-party origin.

    Clinics may run offline and handle health data, so every script, style and font is served
    from the application itself.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        return response


class NoStoreMiddleware:
    """Tell browsers and proxies to keep no copy of any page or API answer.

    Pages show health data; a shared workstation's cache or a proxy must not hold a copy
    after the nurse logs out. Static files are served by WhiteNoise before this runs
    (it sits below WhiteNoise in ``MIDDLEWARE``), so they stay cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "no-store" not in response.headers.get("Cache-Control", ""):
            patch_cache_control(response, no_store=True, private=True)
        response.headers["Pragma"] = "no-cache"
        return response
