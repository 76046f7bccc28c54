"""The application's PostgreSQL role: everything it needs, and no way around the audit guard.

Production runs two roles (``docs/foundation.md``, "PostgreSQL: two roles"): a schema owner
that runs ``ketaclinic migrate`` and owns every table, trigger and function, and the
application role that serves requests. Only an owner (or a superuser) can drop or disable a
trigger, and the guard's maintenance switch works only for the owner (migration
``audit/0004``), so the application role can append audit events and ledger entries, set an
audit event's position and MAC once, and nothing else on those two tables. These grants are run
by the owner after each migration.
"""

from __future__ import annotations

import re

__all__ = ["APPEND_ONLY_TABLES", "app_role_grants"]

APPEND_ONLY_TABLES = ("audit_auditevent", "ledger_ledgerentry")
_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def app_role_grants(role: str) -> list[str]:
    """The SQL (for the owner to run) giving ``role`` the application's privileges."""
    if not _ROLE.match(role):
        raise ValueError("expected a lower-case PostgreSQL role name (letters, digits, _)")
    tables = ", ".join(APPEND_ONLY_TABLES)
    return [
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role}",
        f"REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON {tables} FROM {role}",
        # The chainer's one change (position, MAC and the key's id), column by column; the
        # trigger allows it on unchained rows.
        f"GRANT UPDATE (position, mac, key_id) ON audit_auditevent TO {role}",
    ]
