"""The physical limit for creating an incident: the same rows, by a bare database-driver loop.

Per incident, in one transaction committed on its own (as the API commits each create): bump the
INC counter, insert the work item, its incident detail and its "created" journal event with a
SHA-256 chain hash. No ORM, no validation, no HTTP. Django is loaded only to learn the column
list and the column defaults; the loop itself talks to psycopg or sqlite3 directly, with the same
SQLite pragmas the server uses. Prints {"rate": incidents per second, ...} as JSON.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sqlite3
import sys
import time
from datetime import UTC, datetime
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "serval.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--max", type=int, default=50_000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from serval.core.benchdata import _Writer
    from serval.core.journal import GENESIS, canonical_json
    from serval.incidents.models import IncidentDetail
    from serval.work.models import WorkItem

    wi = _Writer(WorkItem, exclude=["id"])
    detail = _Writer(IncidentDetail)
    caller = int(json.loads(os.environ["BENCH_PREPARED"])["agent_id"])
    tenant = int(json.loads(os.environ["BENCH_PREPARED"])["tenant_id"])
    vendor = connection.vendor
    db = settings.DATABASES["default"]
    if vendor == "postgresql":
        import psycopg

        conn: Any = psycopg.connect(
            host=db["HOST"],
            port=db["PORT"],
            user=db["USER"],
            password=db["PASSWORD"],
            dbname=db["NAME"],
        )
        mark = "%s"
    else:
        conn = sqlite3.connect(db["NAME"], isolation_level=None)
        conn.executescript(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
            "PRAGMA busy_timeout=20000;"
        )
        mark = "?"

    def insert(table: str, cols: list[str], returning: bool) -> str:
        # Names come from model metadata and literals here, never from input.
        sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join([mark] * len(cols))})"  # noqa: S608
        return sql + (" RETURNING id" if returning else "")

    wi_sql = insert(WorkItem._meta.db_table, wi.columns, True)
    detail_sql = insert(IncidentDetail._meta.db_table, detail.columns, False)
    ev_cols = [
        "tenant_id",
        "subject_type",
        "subject_id",
        "seq",
        "actor_id",
        "verb",
        "data",
        "internal",
        "created_at",
        "prev_hash",
        "hash",
    ]
    ev_sql = insert("core_journalevent", ev_cols, False)
    seq_sql = f"UPDATE core_sequence SET value = value + 1 WHERE name = {mark} RETURNING value"  # noqa: S608
    done = 0
    started = time.perf_counter()
    deadline = started + args.seconds
    while time.perf_counter() < deadline and done < args.max:
        now = datetime.now(UTC)
        at = now if vendor == "postgresql" else now.replace(tzinfo=None).isoformat(" ")
        cur = conn.cursor()
        if vendor == "sqlite":
            cur.execute("BEGIN IMMEDIATE")
        cur.execute(seq_sql, ("INC",))
        number = f"INC-{cur.fetchone()[0]}"
        row = wi.row(
            {
                "tenant_id": tenant,
                "kind": "incident",
                "number": number,
                "title": "Bare row",
                "state": "new",
                "caller_id": caller,
                "opened_by_id": caller,
                "opened_at": at,
                "updated_at": at,
                "channel": "api",
            }
        )
        cur.execute(wi_sql, row)
        item_id = cur.fetchone()[0]
        cur.execute(detail_sql, detail.row({"work_item_id": item_id}))
        data = {"number": number, "state": "new", "priority": 5, "fields": {"title": "Bare row"}}
        body = canonical_json(
            {
                "tenant": tenant,
                "subject": f"work_item:{item_id}",
                "seq": 1,
                "actor": caller,
                "verb": "created",
                "data": data,
                "internal": False,
                "at": now.isoformat(),
            }
        )
        digest = hashlib.sha256((GENESIS + body).encode()).hexdigest()
        cur.execute(
            ev_sql,
            (
                tenant,
                "work_item",
                item_id,
                1,
                caller,
                "created",
                canonical_json(data),
                False,
                at,
                GENESIS,
                digest,
            ),
        )
        if vendor == "sqlite":
            cur.execute("COMMIT")
        else:
            conn.commit()
        done += 1
    elapsed = time.perf_counter() - started
    conn.close()
    json.dump({"rate": done / elapsed, "incidents": done, "seconds": elapsed}, sys.stdout)


if __name__ == "__main__":
    main()
