"""Queries that every request runs, compiled to SQL once per database instead of every time.

Django turns a queryset into SQL each time it is evaluated. For the queries on every
request's path that is most of their cost: the access load (a five-way UNION with joins,
``accounts.scoping``) took 3.8 ms of CPU to compile and 0.1 ms for SQLite to answer, a
third of an audited API read. A ``PreparedQuery`` is written as an ordinary queryset, so it
keeps the ORM's quoting, joins and vendor differences, but is built once with a *sentinel*
integer where the varying value goes, compiled once per database alias, and then run with the
real value bound in the sentinel's places.

The value is bound as the driver receives it: ids, or text such as a session key (give a
text sentinel), not values the ORM would first convert (dates). The first compile checks that
the sentinel really reached the parameters, so a queryset that folded it into its SQL text
(or dropped it) fails loudly instead of running with the wrong value.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

__all__ = ["CONSTANT", "SENTINEL", "PreparedQuery"]

# An id no row has: negative, and past any sequence a clinic will issue.
SENTINEL = -7_358_294_611
CONSTANT = object()  # the sentinel of a query with no varying value


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[int, ...]  # where the sentinel is in ``params``
    # What the ORM works out on every evaluation: the converters (``(index, functions,
    # expression)``) for the selected columns and, for a queryset of model instances, the
    # model, its columns and the attribute each fills, and the ``select_related`` populators.
    converters: tuple[tuple[int, tuple[Callable[..., Any], ...], Any], ...]
    model: type[Model] | None
    fields: slice
    attnames: tuple[str, ...]
    populators: tuple[Any, ...]


class PreparedQuery:
    """``build(value) -> QuerySet`` compiled once per database alias; ``rows(value)`` runs it.

    ``rows`` returns tuples converted as the ORM would (a ``values_list``); for a combined
    query (``union``) they come straight from the cursor, so select values the database
    already returns as Python values. ``instances`` returns model instances with their
    ``select_related`` objects. ``sentinel=CONSTANT``: a query with no varying value, built by
    ``build()``.
    """

    def __init__(self, build: Callable[..., QuerySet[Any]], sentinel: Any = SENTINEL) -> None:
        self._build = build
        self._sentinel = sentinel
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def compiled(self, using: str = DEFAULT_DB_ALIAS) -> _Compiled:
        compiled = self._compiled.get(using)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(using) or self._compile(using)
        return compiled

    def _compile(self, using: str) -> _Compiled:
        sentinel = self._sentinel
        constant = sentinel is CONSTANT
        query = (self._build() if constant else self._build(sentinel)).query
        compiler = query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots = tuple(
            index
            for index, param in enumerate(params)
            if not constant and type(param) is type(sentinel) and param == sentinel
        )
        if not constant and not slots:
            raise ValueError("a prepared query must pass its value as a parameter")
        converters: tuple[tuple[int, tuple[Callable[..., Any], ...], Any], ...] = ()
        model: type[Model] | None = None
        fields: slice = slice(0)
        attnames: tuple[str, ...] = ()
        populators: tuple[Any, ...] = ()
        if not query.combinator:
            columns = [column for column, _sql, _alias in compiler.select]
            converters = tuple(
                (index, tuple(functions), expression)
                for index, (functions, expression) in compiler.get_converters(columns).items()
            )
            info = compiler.klass_info
            if info:
                model = info["model"]
                fields = slice(info["select_fields"][0], info["select_fields"][-1] + 1)
                attnames = tuple(column.target.attname for column in columns[fields])
                # The stubs describe Django 6's signature (a fetch_mode); 5.2's takes three.
                populators = tuple(get_related_populators(info, compiler.select, using))  # type: ignore[call-arg]
        compiled = _Compiled(
            sql, tuple(params), slots, converters, model, fields, attnames, populators
        )
        self._compiled[using] = compiled
        return compiled

    def rows(self, value: Any = None, using: str = DEFAULT_DB_ALIAS) -> list[Any]:
        """The query's rows with ``value`` in the sentinel's places."""
        compiled = self.compiled(using)
        bound = list(compiled.params)
        for index in compiled.slots:
            bound[index] = value
        database = connections[using]
        with database.cursor() as cursor:
            cursor.execute(compiled.sql, bound)
            fetched = cursor.fetchall()
        if not compiled.converters:
            return fetched
        converted = []
        for row in fetched:
            values = list(row)
            for index, functions, expression in compiled.converters:
                for convert in functions:
                    values[index] = convert(values[index], expression, database)
            converted.append(values)
        return converted

    def instances(self, value: Any = None, using: str = DEFAULT_DB_ALIAS) -> list[Any]:
        """The query's rows as model instances, as the queryset itself would return them."""
        compiled = self.compiled(using)
        if compiled.model is None:
            raise ValueError("instances() needs a queryset of model instances")
        found = []
        for values in self.rows(value, using):
            instance = compiled.model.from_db(using, compiled.attnames, values[compiled.fields])
            for populator in compiled.populators:
                populator.populate(values, instance)
            found.append(instance)
        return found
