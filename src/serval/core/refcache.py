"""Reference data every write reads, cached per process and checked against one version.

Each incident create read the priority matrix, the SLA definitions of its tenant and the
closed dates of their calendars — the same rows every time, changed only by an administrator.
They are kept here per process, each under the *reference version*: a value in the
`core_sequence` row "reference" that every action changing such data replaces, in its own
transaction (`changed()`). A write reads that one row (once per transaction) and uses the
cached copy only if it was built under the same version, so a process never uses data older
than the last committed change, whichever process made it. The version is a fresh random
number, never a counter, so a rolled-back change (or a test's) can never bring back a version
that meant other data.

Writes that bypass the actions (a data migration, a shell session) must call `changed()`.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from functools import cache
from typing import Any

from django.db import connection

from serval.core.models import Sequence
from serval.core.rawrows import column, table

NAME = "reference"
_lock = threading.Lock()
_cache: dict[Any, tuple[int | None, Any]] = {}
MAX_ENTRIES = 1024


def changed() -> None:
    """Announce a change of reference data (inside the changing transaction)."""
    value = secrets.randbits(62)
    if not Sequence.objects.filter(name=NAME).update(value=value):
        Sequence.objects.create(name=NAME, value=value)
    _remember(value)  # the rest of this block reads (and caches under) the new version


def _remember(value: int | None) -> None:
    blocks = getattr(connection, "atomic_blocks", None)
    if blocks:
        connection._serval_reference = (blocks[-1], value)  # type: ignore[attr-defined]


def version() -> int | None:
    """The reference version this transaction sees, read at most once per atomic block.

    The value read is remembered with the innermost atomic block of the moment (the block
    *object*, held here, so it cannot be reused while remembered) and reused while that block
    is still open; once it has closed — committed into its parent or rolled back — the next
    call reads the row again and so sees what the transaction now sees.
    """
    blocks = getattr(connection, "atomic_blocks", None) or []
    memo = getattr(connection, "_serval_reference", None)
    if memo is not None and any(block is memo[0] for block in blocks):
        return memo[1]  # type: ignore[no-any-return]
    with connection.cursor() as cursor:
        cursor.execute(_version_sql(connection.vendor), [NAME])
        row = cursor.fetchone()
    value = row[0] if row else None
    _remember(value)
    return value


@cache
def _version_sql(vendor: str) -> str:
    """The version's read, written once per process: every create reads it, and compiling the
    ORM's query cost more than running it (issue 6). Only names from the model go into it."""
    return (
        f"SELECT {column(Sequence, 'value')} FROM {table(Sequence)}"  # noqa: S608
        f" WHERE {column(Sequence, 'name')} = %s"
    )


def get[T](key: Any, build: Callable[[], T]) -> T:
    """The cached value for `key` if built under the current version, else `build()`."""
    current = version()
    with _lock:
        hit = _cache.get(key)
    if hit is not None and hit[0] == current:
        return hit[1]  # type: ignore[no-any-return]
    value = build()
    with _lock:
        if len(_cache) >= MAX_ENTRIES:
            _cache.clear()
        _cache[key] = (current, value)
    return value
