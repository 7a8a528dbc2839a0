"""`field__any=[…]`: membership in a list, sent to PostgreSQL as one array parameter.

`field__in=[…]` writes one placeholder per value, so a page's lookups by id ("the people these
50 incidents name") cost PostgreSQL a parse and plan of a hundred literals and psycopg the
quoting of each, about 2 ms per query at a hundred ids; `= ANY(%s)` with the list as one array
is the same membership test with a fixed query text. SQLite has no arrays and gets `IN (…)`.
Registered on every field by `CoreConfig.ready`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.db.models import Field, ForeignObject, Lookup
from django.db.models.lookups import In


class AnyOf(Lookup):  # type: ignore[type-arg]
    lookup_name = "any"

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        values = [v for v in self.rhs if v is not None]
        if connection.vendor != "postgresql":
            return In(self.lhs, values).as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        prepared = [field.get_db_prep_value(v, connection, prepared=False) for v in values]
        return f"{lhs} = ANY(%s)", (*lhs_params, prepared)

    def get_prep_lookup(self) -> Any:
        return list(self.rhs)


Field.register_lookup(AnyOf)
ForeignObject.register_lookup(AnyOf)  # related fields keep their own lookup table


def id_list_sql(vendor: str) -> str:
    """The membership test for hand-written SQL: `column` + this, with one list parameter.

    The query text is then the same for any number of ids (see `id_list_param`), so it can be
    built once per process: PostgreSQL gets the list as an array, SQLite as a JSON list read
    by `json_each`.
    """
    return "= ANY(%s)" if vendor == "postgresql" else "IN (SELECT value FROM json_each(%s))"


def id_list_param(ids: Iterable[int], vendor: str) -> Any:
    """The one parameter `id_list_sql` expects; ids are cast to int, so no text gets through."""
    values = sorted({int(pk) for pk in ids})
    return values if vendor == "postgresql" else json.dumps(values)
