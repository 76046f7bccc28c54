"""The session store: Django's database sessions, read with a query compiled once.

Every request reads its session; through the ORM, compiling that one-row query cost seven
times what the database took to answer it. The row, the expiry rule (a session whose
``expire_date`` has passed is no session) and everything else are Django's own
(``SESSION_ENGINE = "ketaclinic.apps.accounts.sessions"``).
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from ketaclinic.apps.web.prepared_query import PreparedQuery

__all__ = ["SessionStore"]

# Session keys are 32 characters of [a-z0-9]; this one cannot be a real key.
_KEY_SENTINEL = "--prepared-session-key--"
SESSION_BY_KEY = PreparedQuery(
    lambda key: Session.objects.filter(session_key=key), sentinel=_KEY_SENTINEL
)


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self) -> Any:
        key = self.session_key
        found = SESSION_BY_KEY.instances(key) if key else []
        # Django's clock, not the product's clock seam: Django stamped ``expire_date`` with
        # ``timezone.now()`` (``set_expiry``, the cookie age, ``clearsessions``), and the rule
        # compared must be the one Django's own store applies; a test's fixed clock must not
        # end or revive real sessions.
        if found and found[0].expire_date > timezone.now():
            return found[0]
        self._session_key = None
        return None
