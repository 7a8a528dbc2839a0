"""Django's model backend, with the signed-in person read by a statement written once per process.

Every page a signed-in person opens reads their user row. `ModelBackend.get_user` reads it with
`User.objects.get(pk=...)`, whose compilation cost more CPU than running it (~0.25 ms of every
page; benchmarks/README.md, issue 6).

Settings list this backend first and Django's `ModelBackend` after it, only so that sessions
signed in before the switch (they name Django's backend) stay signed in; they end with their
session age. A person signs in through this backend alone: a refused password is refused
here (`PermissionDenied` ends Django's loop), so it is never hashed a second time.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest

from serval.core import rawrows
from serval.core.rawrows import RowReader, column, select_list, table
from serval.people.models import User


@cache
def _user_sql(vendor: str) -> tuple[str, RowReader[User]]:
    """One user by key, and its reader; `vendor` keys the cache (quoting differs). Only names
    from the model's metadata go into the text."""
    sql = (
        f"SELECT {select_list(User, 'u')} FROM {table(User)} u "  # noqa: S608
        f"WHERE u.{column(User, 'id')} = %s"
    )
    return sql, RowReader(User)


class Backend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None and password is not None:
            raise PermissionDenied  # not ModelBackend's turn: one hash per attempt
        return user

    def get_user(self, user_id: Any) -> Any:
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        if not 0 < pk < 2**63:  # a key no row can have (and too large for the driver)
            return None
        sql, reader = _user_sql(connection.vendor)
        row = rawrows.one(sql, [pk])
        if row is None:
            return None
        user = reader(row)
        return user if self.user_can_authenticate(user) else None
