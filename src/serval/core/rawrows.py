"""Model instances from the columns of a hand-written statement, converted as the ORM would.

Django compiles a queryset's SQL on every evaluation; for the few statements that run on every
request (the bearer token's user, benchmarks/README.md, issue 6) that compilation costs more
than the query. Those statements are written once per process from the models' metadata, and
their rows become instances here with the same converters the ORM applies (on SQLite a
datetime column arrives naive and is made aware, booleans arrive as 0/1), so the instances are
indistinguishable from the ones a queryset returns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection
from django.db.models import Model
from django.db.models.signals import post_save, pre_save

Converter = Callable[[Any, Any, Any], Any]


def column(model: type[Model], name: str) -> str:
    """The quoted column of a model's concrete field, for hand-written statements."""
    value = getattr(model._meta.get_field(name), "column", None)
    if not isinstance(value, str):
        raise TypeError(f"{model.__name__}.{name} has no column")
    return str(connection.ops.quote_name(value))


def table(model: type[Model]) -> str:
    """The quoted table of a model, for hand-written statements."""
    return str(connection.ops.quote_name(model._meta.db_table))


def select_list(model: type[Model], alias: str) -> str:
    """`alias.col1, alias.col2, …` over the model's concrete fields, in their order."""
    return ", ".join(f"{alias}.{column(model, f.name)}" for f in model._meta.concrete_fields)


def exists_sql(*checks: tuple[type[Model], str]) -> str:
    """`SELECT EXISTS(… WHERE col = %s), …`, one flag per (model, field): the probe a page runs
    to skip queries that could only come back empty (one parameter per check)."""
    probes = (
        f"EXISTS(SELECT 1 FROM {table(model)} WHERE {column(model, name)} = %s)"  # noqa: S608
        for model, name in checks
    )
    return "SELECT " + ", ".join(probes)


def one(sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
    """The first row of a hand-written statement on the default connection, or None."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else tuple(row)


def rows(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Every row of a hand-written statement on the default connection."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]


def joined(query: Any) -> dict[str, Any]:
    """The tables a query uses (its aliases still referenced) and how each is joined (a join's
    equality leaves out whether it is inner or outer)."""
    return {
        alias: (query.alias_map[alias], getattr(query.alias_map[alias], "join_type", None))
        for alias, uses in query.alias_refcount.items()
        if uses
    }


def own_table_only(query: Any) -> bool:
    """Whether a query reads nothing but its model's own table (no join, no annotation): the
    shape a hand-written `SELECT … FROM <table>` with the ORM's conditions can stand for."""
    return set(joined(query)) == {query.model._meta.db_table} and not query.annotation_select


def with_conditions(query: Any, head: str, tail: str = "") -> tuple[str, list[Any]] | None:
    """`head WHERE <the query's conditions, as the ORM compiles them> tail` and its parameters,
    or None when the query can match nothing (an empty `__in`, `.none()`).

    For a hand-written statement over the query's own tables, with the table names as their
    aliases (as the ORM writes them): the columns, joins and ordering, which never vary, are
    written once, and only the conditions — visibility among them, still decided by the one
    queryset rule (DESIGN.md rule 2) — are compiled per request. Callers check the query's
    tables first (`own_table_only`, `joined`): a condition through a relation needs a join
    their statement does not have.
    """
    compiler = query.get_compiler(connection=connection)
    try:
        where, params = compiler.compile(query.where)
    except EmptyResultSet:
        return None
    except FullResultSet:
        where, params = "", []
    return f"{head}{f' WHERE {where}' if where else ''} {tail}".rstrip(), list(params)


def rows_where(qs: Any, head: str, tail: str = "") -> list[tuple[Any, ...]] | None:
    """The rows of `head WHERE <the conditions of qs> tail`, or None when `qs` reads more than
    its model's own table (the caller then runs the queryset itself).

    For small hot lists of plain columns (ids, names): `head` is the prebuilt `SELECT … FROM
    <table>` with the table's name as its alias, `tail` its `ORDER BY` / `LIMIT`; only the
    conditions, visibility among them, are compiled by the ORM (`with_conditions`). Values
    come back as the driver gives them, so keep to columns that need no conversion (numbers,
    text).
    """
    if not own_table_only(qs.query):
        return None
    statement = with_conditions(qs.query, head, tail)
    return [] if statement is None else rows(*statement)


class RowReader[M: Model]:
    """Builds instances of `model` from a slice of a row (its concrete fields, in order)."""

    def __init__(self, model: type[M]) -> None:
        self.model = model
        fields = model._meta.concrete_fields
        self.names = [f.attname for f in fields]
        self.width = len(fields)
        self._converters: list[tuple[int, Any, list[Converter]]] = []
        for index, field in enumerate(fields):
            expression = field.get_col(model._meta.db_table)
            found = [
                *connection.ops.get_db_converters(expression),
                *expression.get_db_converters(connection),
            ]
            if found:
                self._converters.append((index, expression, found))

    def __call__(self, row: Sequence[Any], start: int = 0) -> M:
        values = list(row[start : start + self.width])
        for index, expression, converters in self._converters:
            value = values[index]
            for convert in converters:
                value = convert(value, expression, connection)
            values[index] = value
        return self.model.from_db(connection.alias, self.names, values)  # type: ignore[return-value]


class Inserter[M: Model]:
    """`instance.save(force_insert=True)` for a model whose rows are written on every create,
    with the INSERT written once per process (per database vendor).

    The ORM compiles an INSERT on every save, ~0.4 ms of Python each; an incident create writes
    its item, detail, journal events and SLA clocks this way (benchmarks/README.md, issue 6).
    The values go through the fields exactly as the ORM's insert does — `pre_save` (auto_now
    and the like), then `get_db_prep_save` — and a key the database makes comes back with
    `RETURNING`, so the instance ends up as a saved one would. `pre_save` and `post_save` are
    sent as the ORM sends them (django-tasks-db fills a task's `run_after` in a receiver); an
    overridden `save()` would not run, so such models are refused.
    """

    def __init__(self, model: type[M]) -> None:
        meta = model._meta
        pk = meta.pk
        if pk is None:
            raise TypeError(f"{model.__name__} has no primary key")
        if model.save is not Model.save:
            raise TypeError(f"{model.__name__} overrides save(); save it with the ORM")
        self.model = model
        # A key the database makes comes back by RETURNING; any other (a one-to-one key) is
        # written like the other fields.
        self._returning = bool(getattr(pk, "db_returning", False))
        self.fields = [f for f in meta.concrete_fields if not (self._returning and f is pk)]
        if any(
            getattr(f, "generated", False) or getattr(f, "has_db_default", lambda: False)()
            for f in self.fields
        ):
            raise TypeError(f"{model.__name__} has database-made values; save it with the ORM")
        self._pk = pk
        self._sql: dict[str, str] = {}

    def _statement(self) -> str:
        vendor = connection.vendor
        if vendor not in self._sql:
            columns = ", ".join(column(self.model, f.name) for f in self.fields)
            marks = ", ".join(["%s"] * len(self.fields))
            returning = f" RETURNING {column(self.model, self._pk.name)}" if self._returning else ""
            # Only names from the model's metadata go into the text.
            self._sql[vendor] = (
                f"INSERT INTO {table(self.model)} ({columns}) VALUES ({marks}){returning}"  # noqa: S608
            )
        return self._sql[vendor]

    def __call__(self, instance: M) -> M:
        alias = connection.alias
        pre_save.send(self.model, instance=instance, raw=False, using=alias, update_fields=None)
        params = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in self.fields]
        with connection.cursor() as cursor:
            cursor.execute(self._statement(), params)
            if self._returning:
                setattr(instance, self._pk.attname, cursor.fetchone()[0])
        instance._state.adding = False
        instance._state.db = alias
        post_save.send(
            self.model, instance=instance, created=True, update_fields=None, raw=False, using=alias
        )
        return instance
