"""Appending to and verifying the hash-chained journal.

Callers are actions, inside their own transaction, after they have locked the subject row; that
lock is what makes `seq` and `prev_hash` safe to read-then-write.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from django.db import connection
from django.utils import timezone

from serval.core.models import JournalEvent, Tenant
from serval.core.rawrows import Inserter, column, table

GENESIS = "0" * 64
_insert = Inserter(JournalEvent)
# The chains of subjects created in the running `new_subject` block: key → (seq, hash) of the
# head this block appended last, None while empty.
_fresh: ContextVar[dict[tuple[str, int], tuple[int, str] | None] | None] = ContextVar(
    "serval_journal_fresh", default=None
)


@contextmanager
def new_subject(subject_type: str, subject_id: int) -> Iterator[None]:
    """Append to a subject inserted in this transaction without reading its chain head.

    Nobody else can see the subject before the transaction commits, so nobody else can append
    to its chain: its head is whatever this block appended last. An incident create writes
    three events (created, and each SLA clock started); inside this block none of them reads
    the head (issue 6). The block must not swallow an error that rolled a savepoint back over
    one of its appends: the head it remembers would then be gone.
    """
    heads = dict(_fresh.get() or {})
    heads[(subject_type, subject_id)] = None
    token = _fresh.set(heads)
    try:
        yield
    finally:
        _fresh.reset(token)


@cache
def _head_sql(vendor: str) -> str:
    """The chain head's `seq, hash`, written once per process: the ORM compiled this on every
    append (issue 6). Only names from the model's metadata go into the text."""
    seq, hash_ = column(JournalEvent, "seq"), column(JournalEvent, "hash")
    return (
        f"SELECT {seq}, {hash_} FROM {table(JournalEvent)}"  # noqa: S608
        f" WHERE {column(JournalEvent, 'subject_type')} = %s"
        f" AND {column(JournalEvent, 'subject_id')} = %s ORDER BY {seq} DESC LIMIT 1"
    )


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, UTF-8: the same event always hashes the same."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _digest(event: JournalEvent) -> str:
    body = {
        "tenant": event.tenant_id,
        "subject": f"{event.subject_type}:{event.subject_id}",
        "seq": event.seq,
        "actor": event.actor_id,
        "verb": event.verb,
        "data": event.data,
        "internal": event.internal,
        "at": event.created_at.isoformat(),
    }
    return hashlib.sha256((event.prev_hash + canonical_json(body)).encode()).hexdigest()


def append(
    *,
    tenant: Tenant | int,
    subject_type: str,
    subject_id: int,
    verb: str,
    actor: Any = None,
    data: dict[str, Any] | None = None,
    internal: bool = False,
    at: datetime | None = None,
) -> JournalEvent:
    """Write one event at the head of the subject's chain.

    The head is read from the table, unless a `new_subject` block for this subject remembers
    it (the unique (subject, seq) constraint would still refuse a second event of one seq).
    """
    heads, key = _fresh.get(), (subject_type, subject_id)
    if heads is not None and key in heads:
        last = heads[key]
    else:
        with connection.cursor() as cursor:
            cursor.execute(_head_sql(connection.vendor), [subject_type, subject_id])
            last = cursor.fetchone()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    event = JournalEvent(
        tenant_id=tenant if isinstance(tenant, int) else tenant.pk,
        subject_type=subject_type,
        subject_id=subject_id,
        seq=seq,
        actor_id=getattr(actor, "pk", None),
        verb=verb,
        data=json.loads(canonical_json(data or {})),
        internal=internal,
        created_at=at or timezone.now(),
        prev_hash=prev,
    )
    event.hash = _digest(event)
    _insert(event)
    if heads is not None and key in heads:
        heads[key] = (seq, event.hash)
    return event


@dataclass(frozen=True)
class ChainBreak:
    subject: str
    seq: int
    reason: str


def verify(subject_type: str | None = None, subject_id: int | None = None) -> Iterator[ChainBreak]:
    """Walk chains in order and yield the first break of each broken chain."""
    qs = JournalEvent.objects.order_by("subject_type", "subject_id", "seq")
    if subject_type:
        qs = qs.filter(subject_type=subject_type)
    if subject_id is not None:
        qs = qs.filter(subject_id=subject_id)
    current: tuple[str, int] | None = None
    expected_prev, expected_seq, broken = GENESIS, 1, False
    for event in qs.iterator(chunk_size=2000):
        key = (event.subject_type, event.subject_id)
        if key != current:
            current, expected_prev, expected_seq, broken = key, GENESIS, 1, False
        if broken:
            continue
        label = f"{event.subject_type}:{event.subject_id}"
        reason = ""
        if event.seq != expected_seq:
            reason = f"expected seq {expected_seq}, found {event.seq} (an event was removed)"
        elif event.prev_hash != expected_prev:
            reason = "prev_hash does not match the previous event"
        elif _digest(event) != event.hash:
            reason = "hash does not match the event's content (the event was altered)"
        if reason:
            broken = True
            yield ChainBreak(label, event.seq, reason)
        expected_prev, expected_seq = event.hash, event.seq + 1


GUARD_SQL = {
    "sqlite": [
        "CREATE TRIGGER IF NOT EXISTS core_journal_no_update BEFORE UPDATE ON core_journalevent "
        "BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END",
        "CREATE TRIGGER IF NOT EXISTS core_journal_no_delete BEFORE DELETE ON core_journalevent "
        "BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION core_journal_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'the journal is append-only'; END; $$ LANGUAGE plpgsql",
        "DROP TRIGGER IF EXISTS core_journal_append_only ON core_journalevent",
        "CREATE TRIGGER core_journal_append_only BEFORE UPDATE OR DELETE ON core_journalevent "
        "FOR EACH ROW EXECUTE FUNCTION core_journal_append_only()",
    ],
}
UNGUARD_SQL = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS core_journal_no_update",
        "DROP TRIGGER IF EXISTS core_journal_no_delete",
    ],
    "postgresql": ["DROP TRIGGER IF EXISTS core_journal_append_only ON core_journalevent"],
}


def set_guards(enabled: bool) -> None:
    """Install (or, for test teardown only, remove) the append-only triggers."""
    statements = (GUARD_SQL if enabled else UNGUARD_SQL).get(connection.vendor, [])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
