"""Django's database sessions, read with a statement written once per process.

Every page a signed-in person opens reads their session first. Django's store reads it with
`Session.objects.get(...)`, whose compilation cost ~0.2 ms of CPU against ~0.05 ms for the same
statement written out (measured on the incident page, benchmarks/README.md, issue 6). The
table, the rows and their encoding are Django's own, so switching to this store (or back) signs
nobody out; everything but the read is inherited.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db import connections, router
from django.utils import timezone

from serval.core.rawrows import column, table


@cache
def _load_sql(vendor: str) -> str:
    """The live session with a key; `vendor` keys the cache (quoting differs per database)."""
    data, key, expires = (
        column(Session, name) for name in ("session_data", "session_key", "expire_date")
    )
    # Only identifiers from the model's metadata go into the text.
    return f"SELECT {data} FROM {table(Session)} WHERE {key} = %s AND {expires} > %s"  # noqa: S608


class _Row:
    """What `load()` reads of the row: its data."""

    __slots__ = ("session_data",)

    def __init__(self, session_data: str) -> None:
        self.session_data = session_data


class SessionStore(db.SessionStore):
    """`SESSION_ENGINE = "serval.people.sessions"`: Django's database store, read faster."""

    def _get_session_from_db(self) -> Any:
        key = self.session_key
        if key is None:  # no cookie, or one Django's store refused as malformed
            self._session_key = None
            return None
        connection = connections[router.db_for_read(Session)]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(_load_sql(connection.vendor), [key, now])
            row = cursor.fetchone()
        if row is None:  # unknown or expired: a new, empty session, as Django's store does
            self._session_key = None
            return None
        return _Row(row[0])
