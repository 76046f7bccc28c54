"""Suite-wide set-up for the Django tests (the pure clinical tests run without Django).

PostgreSQL: when ``KETACLINIC_DATABASE_URL`` points at PostgreSQL and the server does not
answer, database tests are skipped with a message — except in CI (``CI=true``), where that
is a failure, because a skipped PostgreSQL run proves nothing.
"""

from __future__ import annotations

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _postgres_unreachable() -> str | None:
    url = os.environ.get("KETACLINIC_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    import psycopg

    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.Error as error:
        return f"PostgreSQL at {url} is not reachable: {str(error).strip().splitlines()[0]}"
    return None


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    """The pure clinical tests run with ``-p no:django``: pytest-django's ini key is then
    unknown and ``--strict-config`` would stop the run, so it is declared here in its place."""
    if not pluginmanager.hasplugin("django"):
        parser.addini("DJANGO_SETTINGS_MODULE", "read by pytest-django (not loaded in this run)")
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="run only the tests that use the database (the PostgreSQL run of `make test`: "
        "the others do not depend on the database engine and already ran on SQLite)",
    )


#: The fixtures through which a test reaches the database (pytest-django's, and ours that
#: build on them appear in a test's fixture closure as these).
DATABASE_FIXTURES = frozenset(
    {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback"}
)


def uses_database(item: pytest.Item) -> bool:
    return "django_db" in item.keywords or bool(
        DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
    )


def pytest_configure(config: pytest.Config) -> None:
    problem = _postgres_unreachable()
    config._ketaclinic_db_problem = problem  # type: ignore[attr-defined]
    if problem and IN_CI:
        raise pytest.UsageError(f"{problem} (CI=true: PostgreSQL tests must run)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--database-tests-only", default=False):
        # Deselected, not skipped: CI counts a skip in the PostgreSQL run as a failure.
        others = [item for item in items if not uses_database(item)]
        if others:
            config.hook.pytest_deselected(items=others)
            items[:] = [item for item in items if uses_database(item)]
    problem = getattr(config, "_ketaclinic_db_problem", None)
    if not problem:
        return
    skip = pytest.mark.skip(reason=problem)
    for item in items:
        if uses_database(item):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fast_test_settings(request: pytest.FixtureRequest) -> None:
    """Argon2 is the product's hasher (tested in accounts); tests need speed, not strength.

    The pure clinical tests run with ``-p no:django``: there is nothing to set for them."""
    if not request.config.pluginmanager.hasplugin("django"):
        return
    settings = request.getfixturevalue("settings")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The product's cache lives in the database (shared by app processes); each test gets a
    # fresh in-process cache instead, so tests without database access can use rate limits.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": request.node.nodeid,
        }
    }


@pytest.fixture
def client():
    """Django's test client whose ``force_login`` also passes the second factor (MFA)."""
    from tests.personas import PersonaClient

    return PersonaClient()


@pytest.fixture
def clinic(db):
    """The people of STYLE habit 9: staff of every role at site A, a nurse at site B."""
    from tests.personas import build_clinic

    return build_clinic()


#: The moment every Django test runs at, unless it installs another: tests never read the
#: real clock (a demo test that passed in November failed in December and turned CI red).
SUITE_MOMENT = (2026, 3, 10, 14, 0)


@pytest.fixture(autouse=True)
def _suite_clock(request: pytest.FixtureRequest):
    """Install a fixed application clock for every Django test, so that nothing the product
    asks of ``clock.now()``/``clock.today()`` depends on the day the suite runs."""
    if not request.config.pluginmanager.hasplugin("django"):
        yield None
        return
    import datetime as dt

    from ketaclinic.apps.web import clock

    previous = clock.install(clock.FixedClock(dt.datetime(*SUITE_MOMENT, tzinfo=dt.UTC)))
    yield clock.clock
    clock.install(previous)


@pytest.fixture
def fixed_clock(_suite_clock):
    """The application clock frozen at 2026-03-10 14:00 UTC (the suite's moment)."""
    return _suite_clock


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Test databases are emptied between transactional tests, so they turn on the audit
    tables' maintenance switch (see ``database_guard``); ``audit_guard_enforced`` turns it off
    for the tests of the guard itself."""
    from django.db import connection

    from ketaclinic.apps.audit.database_guard import MAINTENANCE

    MAINTENANCE.enabled = True
    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                name = connection.settings_dict["NAME"]
                cursor.execute(f"ALTER DATABASE \"{name}\" SET ketaclinic.audit_writable = 'on'")
                cursor.execute("SET ketaclinic.audit_writable = 'on'")
    return django_db_setup
