"""Full-text search over work items: one interface, two engines (DESIGN.md rule 7).

SQLite uses an FTS5 table kept in step by triggers; PostgreSQL a stored tsvector column with a
GIN index. Both are created by `work` migration 0002. The user's text never reaches the query
syntax of either engine: it is tokenised here and passed as a bound parameter.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, cast

from django.db import connection

if TYPE_CHECKING:
    from serval.work.querysets import WorkItemQuerySet

_TOKEN = re.compile(r"\w+", re.UNICODE)
_NUMBER = re.compile(r"^[A-Za-z]{2,8}-\d+$")
MAX_TERMS = 12


def terms(text: str) -> list[str]:
    return _TOKEN.findall(text or "")[:MAX_TERMS]


def search_work_items(qs: WorkItemQuerySet, text: str) -> WorkItemQuerySet:
    text = (text or "").strip()[:200]
    if not text:
        return qs
    if _NUMBER.match(text):
        return qs.filter(number=text.upper())
    words = terms(text)
    if not words:
        return qs.none()
    if connection.vendor == "postgresql":
        query = " & ".join(f"{w}:*" for w in words)
        # Fixed SQL; the user's words arrive only as a bound parameter.
        return cast(
            "WorkItemQuerySet",
            qs.extra(
                where=["work_workitem.search_doc @@ to_tsquery('simple', %s)"], params=[query]
            ),
        )
    # FTS5: every word quoted (so operators in the text are just words), prefix-matched.
    query = " ".join('"{}"*'.format(w.replace('"', "")) for w in words)
    return cast(
        "WorkItemQuerySet",
        qs.extra(
            where=[
                "work_workitem.id IN (SELECT rowid FROM work_search WHERE work_search MATCH %s)"
            ],
            params=[query],
        ),
    )


SQLITE_SETUP = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS work_search USING fts5("
    "number, title, description, content='work_workitem', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS work_search_ai AFTER INSERT ON work_workitem BEGIN "
    "INSERT INTO work_search(rowid, number, title, description) "
    "VALUES (new.id, new.number, new.title, new.description); END",
    "CREATE TRIGGER IF NOT EXISTS work_search_ad AFTER DELETE ON work_workitem BEGIN "
    "INSERT INTO work_search(work_search, rowid, number, title, description) "
    "VALUES ('delete', old.id, old.number, old.title, old.description); END",
    "CREATE TRIGGER IF NOT EXISTS work_search_au AFTER UPDATE OF number, title, description "
    "ON work_workitem BEGIN "
    "INSERT INTO work_search(work_search, rowid, number, title, description) "
    "VALUES ('delete', old.id, old.number, old.title, old.description); "
    "INSERT INTO work_search(rowid, number, title, description) "
    "VALUES (new.id, new.number, new.title, new.description); END",
    "INSERT INTO work_search(work_search) VALUES ('rebuild')",
]
SQLITE_TEARDOWN = [
    "DROP TRIGGER IF EXISTS work_search_ai",
    "DROP TRIGGER IF EXISTS work_search_ad",
    "DROP TRIGGER IF EXISTS work_search_au",
    "DROP TABLE IF EXISTS work_search",
]
POSTGRES_SETUP = [
    "ALTER TABLE work_workitem ADD COLUMN IF NOT EXISTS search_doc tsvector GENERATED ALWAYS AS "
    "(to_tsvector('simple', coalesce(number, '') || ' ' || coalesce(title, '') || ' ' || "
    "coalesce(description, ''))) STORED",
    "CREATE INDEX IF NOT EXISTS work_search_doc_gin ON work_workitem USING gin (search_doc)",
]
POSTGRES_TEARDOWN = [
    "DROP INDEX IF EXISTS work_search_doc_gin",
    "ALTER TABLE work_workitem DROP COLUMN IF EXISTS search_doc",
]
