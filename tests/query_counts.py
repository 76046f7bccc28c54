"""Counting a page's queries, for the tests that hold a page's count the same at N and 2N.

A ceiling ("at most 22 queries") lets an N+1 grow unnoticed until it crosses the line; the
same count for N rows and for 2N rows does not.
"""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext


def counted_get(client, url: str):
    """``(queries, response)`` for a GET of ``url``, which must answer 200."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), response
