"""Demo rows straight into their tables: one prepared INSERT per batch, no model instances.

At 10,000 patients the demo writes several hundred thousand rows (vital signs, scale
entries, ledger entries, status events). Through ``bulk_create`` most of the time goes to
building model instances and compiling one multi-row INSERT per few dozen rows on SQLite,
not to the database. Here each value is still prepared by its own field
(``get_db_prep_save``, as the ORM does), columns left out take the field's default exactly
as a new model instance would, and the statement is run with ``executemany``.

``reserve_ids`` hands out primary keys before the rows exist, for rows that others point at
or whose hash covers a key (the ledger's chain covers ``related_entry_id``): PostgreSQL
draws them from the table's own sequence; SQLite, whose writer holds the database lock for
the whole demo transaction, continues after the highest key it has ever issued.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import partial

from django.db import connection, models

__all__ = ["insert_rows", "reserve_ids"]

BATCH = 5000
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


def _preparer(field: models.Field):
    if field.get_internal_type() in _PLAIN:
        return None
    return partial(field.get_db_prep_save, connection=connection)


def insert_rows(model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert ``rows`` (values in the order of ``names``, field names) into ``model``'s
    table; every other concrete column gets its default. Returns the number inserted."""
    opts = model._meta
    given = [opts.get_field(name) for name in names]
    rest = [
        f
        for f in opts.concrete_fields
        if f not in given and not (f.primary_key and isinstance(f, models.AutoField))
    ]
    for field in rest:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            raise ValueError(f"{opts.label}.{field.name} is set on save: give it a value")
    defaults = [f.get_db_prep_save(f.get_default(), connection) for f in rest]
    preparers = [(index, p) for index, f in enumerate(given) if (p := _preparer(f)) is not None]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in (*given, *rest))
    marks = ", ".join(["%s"] * (len(given) + len(rest)))
    sql = f"INSERT INTO {quote(opts.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608 - names from model metadata; values bound
    count = 0
    batch: list[list] = []
    with connection.cursor() as cursor:
        for row in rows:
            values = list(row)
            for index, prepare in preparers:
                values[index] = prepare(values[index])
            values.extend(defaults)
            batch.append(values)
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


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
        pk = connection.ops.quote_name(model._meta.pk.column)
        cursor.execute(f"SELECT max({pk}) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - names from model metadata
        highest = cursor.fetchone()[0] or 0
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            issued = cursor.fetchone()
            highest = max(highest, issued[0] if issued else 0)
    return list(range(highest + 1, highest + 1 + count))
