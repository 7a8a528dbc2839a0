"""`field__any=[…]`: membership in a list, sent to PostgreSQL as one array parameter.

`field__in=[…]` writes one placeholder per value, so a page's lookups by id ("the people these
50 incidents name") cost PostgreSQL a parse and plan of a hundred literals and psycopg the
quoting of each, about 2 ms per query at a hundred ids; `= ANY(%s)` with the list as one array
is the same membership test with a fixed query text. SQLite has no arrays and gets `IN (…)`.
Registered on every field by `CoreConfig.ready`.
"""

from __future__ import annotations

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
