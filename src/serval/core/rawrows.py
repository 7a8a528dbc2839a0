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

from django.db import connection
from django.db.models import Model

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


class RowReader:
    """Builds instances of `model` from a slice of a row (its concrete fields, in order)."""

    def __init__(self, model: type[Model]) -> None:
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

    def __call__(self, row: Sequence[Any], start: int = 0) -> Model:
        values = list(row[start : start + self.width])
        for index, expression, converters in self._converters:
            value = values[index]
            for convert in converters:
                value = convert(value, expression, connection)
            values[index] = value
        return self.model.from_db(connection.alias, self.names, values)
