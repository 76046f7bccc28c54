"""Many rows straight into their tables: the one bulk writer (the demo, the outcome refresh).

At 10,000 patients the demo writes several hundred thousand rows (vital signs, scale
entries, ledger entries, status events) and the nightly outcome refresh rewrites every
course's outcomes. Through ``bulk_create`` most of the time goes to building model instances
and compiling one multi-row INSERT per few dozen rows on SQLite, not to the database. Here
each value is still prepared by its own field (``get_db_prep_save``, as the ORM does), columns
left out take the field's default exactly as a new model instance would, and the rows go in
by ``COPY`` on PostgreSQL (several times faster than INSERTs) or one prepared INSERT run with
``executemany`` elsewhere.

Writers that keep invariants of their own (the ledger's chain, the audit trail) are not
bypassed through here: they append through their own code, in batches where they offer it.

``foreign_keys_checked_at_end`` is for a load of millions of rows in one transaction on
PostgreSQL: Django's foreign keys are ``DEFERRABLE INITIALLY DEFERRED``, so every row
inserted queues a trigger event that, at commit, looks its parent up and locks it, one row
at a time (at 10,000 demo patients, some 25 s of the server's time in the commit alone).
Dropped before the load and added back after it, each key is checked once, by one join over
the whole table (what ``ALTER TABLE ... ADD CONSTRAINT`` does), with the same name and
definition; a row without its parent fails the load as the commit would have.

``reserve_ids`` hands out primary keys before the rows exist, for rows that others point at
or whose hash covers a key (the ledger's chain covers ``related_entry_id``): PostgreSQL
draws them from the table's own sequence; SQLite, whose writer holds the database lock for
the whole demo transaction, continues after the highest key it has ever issued.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from functools import partial
from typing import Any

from django.conf import settings
from django.db import (
    DEFAULT_DB_ALIAS,
    OperationalError,
    connection,
    connections,
    models,
    transaction,
)

__all__ = [
    "foreign_keys_checked_at_end",
    "insert_new",
    "insert_objects",
    "insert_returning_keys",
    "insert_rows",
    "reserve_ids",
    "update_rows",
]

BATCH = 5000
_JSON_TYPES = {dict, list, str, int, float, bool}  # stored as JSON text (None is SQL NULL)
utc = dt.UTC
# Field types whose Python value is the database value on every backend we run on.
_PLAIN = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "ForeignKey",
    "IntegerField",
    "OneToOneField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
}


def _preparer(field: models.Field, database: Any) -> Callable[[Any], Any] | None:
    """How a value of ``field`` is made ready for the driver, or None if it already is.

    Aware datetimes, the demo's most common value, skip the field's checks for naive ones:
    SQLite gets the string Django's own adapter makes (in the connection's zone, no
    offset), PostgreSQL the datetime itself, as Django passes it. A ``Decimal`` is what
    Django would pass too. A JSON value seen before in the same insert (the demo shares one
    dict between many rows) is prepared once. Anything else goes through the field."""
    kind = field.get_internal_type()
    if kind in _PLAIN:
        return None
    slow = partial(field.get_db_prep_save, connection=database)
    if kind == "DateTimeField" and settings.USE_TZ:
        if database.vendor == "sqlite":
            zone = database.timezone

            def sqlite_datetime(value: dt.datetime | None) -> Any:
                if value is None or value.tzinfo is None:
                    return slow(value)
                if value.tzinfo is utc and zone is utc:  # drop the "+00:00"
                    return value.isoformat(" ")[:-6]
                return str(value.astimezone(zone).replace(tzinfo=None))

            return sqlite_datetime
        if database.vendor == "postgresql":
            return lambda value: value if value is None or value.tzinfo else slow(value)
    if kind == "DecimalField":
        return lambda value: value if type(value) is Decimal and value.is_finite() else slow(value)
    if kind == "JSONField":
        seen: dict[int, tuple[Any, Any]] = {}
        prepare: Callable[[Any], Any] = slow
        if database.vendor == "postgresql":
            # The JSON text itself, which COPY hands to the column as ``Jsonb`` would (the
            # wrapper Django makes is encoded again for every row that shares it).
            dumps = partial(json.dumps, cls=field.encoder)  # type: ignore[attr-defined]

            def json_text(value: Any) -> Any:
                return dumps(value) if type(value) in _JSON_TYPES else slow(value)

            prepare = json_text

        def json_value(value: Any) -> Any:
            known = seen.get(id(value))
            if known is None:
                known = seen[id(value)] = (value, prepare(value))  # keeps ``value`` alive
            return known[1]

        return json_value
    return slow


SQLITE_CACHE_KIB = 262144


def _roomy_cache(database) -> None:
    """SQLite keeps 2 MB of pages by default; a 10,000-patient demo is some 400 MB, so its
    indexes would be read back from the file on nearly every insert. The demo's connection
    gets a page cache of 256 MB for as long as it is open."""
    if database.vendor != "sqlite":
        return
    database.ensure_connection()
    if getattr(database, "_demo_cache_for", None) is database.connection:
        return
    with database.cursor() as cursor:
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    database._demo_cache_for = database.connection


_FOREIGN_KEYS = """
SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
FROM pg_constraint
WHERE contype = 'f' AND connamespace = current_schema()::regnamespace
ORDER BY conrelid::regclass::text, conname
"""


@contextmanager
def foreign_keys_checked_at_end() -> Iterator[None]:
    """Inside a transaction, before its first write: on PostgreSQL, the schema's foreign
    keys are dropped for the block and added back (so checked, each in one pass) at its
    end; elsewhere nothing changes. If the block fails, the transaction's rollback puts
    them back as they were (PostgreSQL's DDL is transactional)."""
    database = connections[DEFAULT_DB_ALIAS]
    if database.vendor != "postgresql":
        yield
        return
    if not database.in_atomic_block:
        raise RuntimeError("foreign_keys_checked_at_end needs a transaction to put them back")
    quote = database.ops.quote_name
    try:
        with transaction.atomic(), database.cursor() as cursor:
            cursor.execute(_FOREIGN_KEYS)
            keys = cursor.fetchall()
            for table, name, _definition in keys:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
    except OperationalError:
        # A table the transaction wrote to already has checks queued ("pending trigger
        # events"): its keys cannot be dropped, so all stay and are checked as usual.
        yield
        return
    yield
    with database.cursor() as cursor:
        for table, name, definition in keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")


def _column_field(model: type[models.Model], name: str) -> models.Field:
    """The field ``name`` of ``model`` that has a column (not a reverse relation)."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.column:
        raise ValueError(f"{model._meta.label}.{name} has no column to write")
    return field


def insert_rows(model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert ``rows`` (values in the order of ``names``, field names) into ``model``'s
    table; every other concrete column gets its default. Returns the number inserted."""
    opts = model._meta
    given = [_column_field(model, name) for name in names]
    rest = [
        f
        for f in opts.concrete_fields
        if f not in given and not (f.primary_key and isinstance(f, models.AutoField))
    ]
    for field in rest:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            raise ValueError(f"{opts.label}.{field.name} is set on save: give it a value")
    database = connections[DEFAULT_DB_ALIAS]  # resolved once, not per value
    _roomy_cache(database)
    defaults = [f.get_db_prep_save(f.get_default(), database) for f in rest]
    preparers = [
        (index, p) for index, f in enumerate(given) if (p := _preparer(f, database)) is not None
    ]
    quote = database.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in (*given, *rest))
    marks = ", ".join(["%s"] * (len(given) + len(rest)))
    sql = f"INSERT INTO {quote(opts.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608 - names from model metadata; values bound  # nosec B608
    prepared = _prepared(rows, preparers, defaults)
    if database.vendor == "postgresql":
        return _copy_rows(database, opts.db_table, (*given, *rest), prepared)
    return _execute_in_batches(database, sql, prepared)


def _prepared(rows: Iterable[Sequence], preparers, defaults) -> Iterator[list]:
    """Each row as the driver takes it, one at a time (the caller's rows may be a generator
    over millions: nothing here holds more than one)."""
    for row in rows:
        values = list(row)
        for index, prepare in preparers:
            values[index] = prepare(values[index])
        values.extend(defaults)
        yield values


def _execute_in_batches(database, sql: str, prepared: Iterable[list]) -> int:
    count = 0
    batch: list[list] = []
    with database.cursor() as cursor:
        for values in prepared:
            batch.append(values)
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def update_rows(model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Set the fields ``names`` of existing rows of ``model``: each row gives the primary key
    first, then the values in the order of ``names``. Returns the number of rows given.

    ``bulk_update`` builds a ``CASE WHEN`` per row and field (at 20,000 REMS forms of 33
    fields, 660,000 expressions compiled in Python); here PostgreSQL gets the rows by
    ``COPY`` into a temporary table and one ``UPDATE ... FROM`` it, SQLite one prepared
    ``UPDATE ... WHERE pk`` run with ``executemany``. Values are prepared as ``insert_rows``
    prepares them."""
    opts = model._meta
    fields = [_column_field(model, name) for name in names]
    if any(f.primary_key for f in fields) or not fields:
        raise ValueError(f"{opts.label}: name the fields to set (not the primary key)")
    database = connections[DEFAULT_DB_ALIAS]
    _roomy_cache(database)
    preparers = [
        (index + 1, p)
        for index, f in enumerate(fields)
        if (p := _preparer(f, database)) is not None
    ]
    prepared = _prepared(rows, preparers, ())
    quote = database.ops.quote_name
    table, key = quote(opts.db_table), quote(str(opts.pk.column))
    if database.vendor == "postgresql":
        staging = quote(f"bulk_update_{opts.db_table}")
        columns = ", ".join(quote(str(f.column)) for f in (opts.pk, *fields))
        with database.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {staging} AS SELECT {columns} FROM {table} WITH NO DATA"  # noqa: S608 - names from model metadata  # nosec B608
            )
            count = _copy_rows(
                database, f"bulk_update_{opts.db_table}", (opts.pk, *fields), prepared
            )
            assignments = ", ".join(
                f"{quote(str(f.column))} = new.{quote(str(f.column))}" for f in fields
            )
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM {staging} AS new "  # noqa: S608 - names from model metadata  # nosec B608
                f"WHERE {table}.{key} = new.{key}"
            )
            cursor.execute(f"DROP TABLE {staging}")
        return count
    assignments = ", ".join(f"{quote(str(f.column))} = %s" for f in fields)
    sql = f"UPDATE {table} SET {assignments} WHERE {key} = %s"  # noqa: S608 - names from model metadata; values bound  # nosec B608
    return _execute_in_batches(database, sql, ([*values[1:], values[0]] for values in prepared))


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` primary keys for new rows of ``model`` that no other row has or will get."""
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, model._meta.pk.column, count],
            )
            return sorted(row[0] for row in cursor.fetchall())
        pk = connection.ops.quote_name(str(model._meta.pk.column))
        cursor.execute(f"SELECT max({pk}) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - names from model metadata  # nosec B608
        highest = cursor.fetchone()[0] or 0
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            issued = cursor.fetchone()
            highest = max(highest, issued[0] if issued else 0)
    return list(range(highest + 1, highest + 1 + count))


def insert_objects(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """Unsaved instances of ``model`` in, each given a reserved key first (set on it, as
    ``bulk_create`` would), for generators that already build instances."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    keys = reserve_ids(model, len(objs))
    for obj, key in zip(objs, keys, strict=True):
        obj._prepare_related_fields_for_save(operation_name="insert_objects")  # type: ignore[attr-defined]  # as bulk_create
        obj.pk = key
        obj._state.adding, obj._state.db = False, connection.alias
    names = [model._meta.pk.name, *(f.name for f in fields)]
    insert_rows(model, names, ([obj.pk, *(f.pre_save(obj, True) for f in fields)] for obj in objs))


def _copy_rows(database, table: str, fields, prepared: Iterable[list]) -> int:
    """PostgreSQL's ``COPY ... FROM STDIN`` through psycopg 3's ``cursor.copy()``: rows are
    sent as they come (psycopg buffers and flushes them), in text format, each value
    adapted by psycopg as it would adapt a bound parameter (so text with tabs, newlines or
    backslashes, ``None``, dates, decimals and JSON arrive as an INSERT would store them)."""
    quote = database.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in fields)
    count = 0
    with (
        database.cursor() as cursor,
        cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy,
    ):
        write = copy.write_row
        for values in prepared:
            write(values)
            count += 1
    return count


def insert_new(model: type[models.Model], objs: Sequence[models.Model]) -> int:
    """Unsaved instances of ``model`` in, their keys left to the database (nothing points at
    them yet); each field's value read as the ORM's save would (``pre_save``)."""
    fields = [
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key and isinstance(f, models.AutoField))
    ]
    names = [f.name for f in fields]
    return insert_rows(model, names, ([f.pre_save(obj, True) for f in fields] for obj in objs))


_RETURNING_SQL: dict[tuple[str, str, int], str] = {}


def insert_returning_keys(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """A few unsaved instances in one ``INSERT ... RETURNING`` with their keys set on them,
    as ``bulk_create`` does, at a fraction of its cost: the statement is built once per model,
    row count and database, and each value is prepared by its field (``get_db_prep_save``).
    For the audit writer, which inserts every request's events."""
    if not objs:
        return
    database = connections[DEFAULT_DB_ALIAS]
    opts = model._meta
    pk = opts.pk
    fields = [
        f for f in opts.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))
    ]
    key = (opts.label, database.vendor, len(objs))
    sql = _RETURNING_SQL.get(key)
    if sql is None:
        quote = database.ops.quote_name
        table = str(opts.db_table)
        columns = ", ".join(quote(str(f.column)) for f in fields)
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        sql = _RETURNING_SQL[key] = (
            f"INSERT INTO {quote(table)} ({columns}) VALUES "  # noqa: S608  # nosec B608 - model metadata; values bound
            + ", ".join([row] * len(objs))
            + f" RETURNING {quote(str(pk.column))}"
        )
    params: list[Any] = []
    for obj in objs:  # (related rows are saved ones: the foreign keys are already set)
        params.extend(f.get_db_prep_save(f.pre_save(obj, True), database) for f in fields)
    with database.cursor() as cursor:
        cursor.execute(sql, params)
        keys = [row[0] for row in cursor.fetchall()]
    # Each database draws the keys in the order of the VALUES (a sequence, SQLite's rowid):
    # sorted, they are the rows' keys in order, whatever order RETURNING lists them in.
    for obj, value in zip(objs, sorted(keys), strict=True):
        setattr(obj, pk.attname, value)
        obj._state.adding, obj._state.db = False, database.alias
