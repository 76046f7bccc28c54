"""``AuthenticatedRequest``: the request a view sees once deny-by-default has let it through.

Every view not marked public is reached only by a logged-in member of staff
(``deny_by_default.py``), so its ``request.user`` is a ``User``, never ``AnonymousUser``.
django-stubs cannot know which views those are and types ``request.user`` as either; a view
says so by taking ``request: AuthenticatedRequest`` (the pattern django-stubs documents). It
is a type only: Django still passes its own ``HttpRequest``.
"""

from __future__ import annotations

from django.http import HttpRequest

from ketaclinic.apps.accounts.models import User

__all__ = ["AuthenticatedRequest"]


class AuthenticatedRequest(HttpRequest):
    user: User
