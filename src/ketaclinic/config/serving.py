"""``ketaclinic serve``: gunicorn in front of the WSGI application.

Static files are collected first (WhiteNoise serves them), and the server refuses to start on
a database with unapplied migrations rather than failing on the first page.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import TYPE_CHECKING, Any

from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from ketaclinic.apps.web.logging_filters import redact

if TYPE_CHECKING:
    from django.core.handlers.wsgi import WSGIHandler
    from gunicorn.glogging import Logger

# Access log without query strings (searches carry patient names) and with private-link
# tokens replaced (see logging_filters): %(U)s is the path only, redacted by RedactingLogger.
ACCESS_LOG_FORMAT = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'


def redacting_logger_class() -> type[Logger]:
    """gunicorn's logger with the request path redacted before the access line is written."""
    from gunicorn.glogging import Logger

    class RedactingLogger(Logger):
        def atoms(
            self, resp: Any, req: Any, environ: dict[str, Any], request_time: dt.timedelta
        ) -> dict[str, Any]:
            atoms = super().atoms(resp, req, environ, request_time)
            atoms["U"] = redact(atoms.get("U") or "")
            atoms["r"] = redact(atoms.get("r") or "")
            atoms["q"] = ""
            return atoms

    return RedactingLogger


def pending_migrations() -> list[str]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def serve(*, host: str, port: int, workers: int) -> int:
    from gunicorn.app.base import BaseApplication

    pending = pending_migrations()
    if pending:
        print(
            f"ketaclinic: error: database needs {len(pending)} migration(s); "
            "run `ketaclinic migrate` first",
            file=sys.stderr,
        )
        return 2
    call_command("collectstatic", "--no-input", verbosity=0)
    from ketaclinic.config.wsgi import application  # after collectstatic: WhiteNoise scans it

    class KetaclinicServer(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", max(1, workers))
            self.cfg.set("threads", 4)
            self.cfg.set("accesslog", "-")
            self.cfg.set("access_log_format", ACCESS_LOG_FORMAT)
            self.cfg.set("logger_class", redacting_logger_class())
            self.cfg.set("timeout", 60)

        def load(self) -> WSGIHandler:
            return application

    print(f"Ketaclinic is serving on http://{host}:{port}/ (Ctrl-C to stop)", flush=True)
    KetaclinicServer().run()
    return 0
