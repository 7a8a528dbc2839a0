"""Full-text search over work items: one interface, two engines (DESIGN.md rule 7).

SQLite uses an FTS5 table kept in step by triggers; PostgreSQL a stored tsvector column with a
GIN index. Both are created by `work` migration 0002. The user's text never reaches the query
syntax of either engine: it is tokenised here and passed as a bound parameter.

`search_work_items(qs, text)` narrows a queryset that already holds only what the user may see
(`visible_to`), so visibility is decided before and independently of the words. What it adds
depends on how common the words are, because a list asks for the newest 50 matches and the two
ways of finding them cost opposite things (issue 6, benchmarks/README.md):

- **common words** (a word in ~15 % of a million items): the match is a filter the GIN index
  cannot serve, so PostgreSQL walks the `work_tenant_recent` index (or a requester's own
  items) newest first and stops after 50 hits, reading a few hundred rows — instead of
  collecting every match from the GIN index and sorting them all;
- **rare words**: the matches are collected from the GIN index first (few: the rarest word
  bounds them), then sorted.

Which case applies is estimated from PostgreSQL's own statistics of the words (ANALYZE's
`most_common_elems` of `search_doc`), cached per process for a minute. The estimate only picks
the plan: both plans return the same rows, so a stale or missing estimate (no ANALYZE yet) costs
time, never correctness. SQLite always collects the matches from the FTS5 index (a per-row FTS5
probe of a prefix query costs more than collecting); what it decides is whether to sort them
all or to walk newest first checking each row against them, by counting the matches up to a
threshold.
"""

from __future__ import annotations

import re
import threading
import time
from typing import TYPE_CHECKING, cast

from django.db import connection

if TYPE_CHECKING:
    from serval.work.querysets import WorkItemQuerySet

_TOKEN = re.compile(r"\w+", re.UNICODE)
_NUMBER = re.compile(r"^[A-Za-z]{2,8}-\d+$")
MAX_TERMS = 12
# Above this estimated share of items matching, a newest-first walk finds 50 hits within a few
# thousand rows; below it, collecting the matches from the full-text index is cheaper.
COMMON = 0.01
RARE_COMBINATION = 0.001  # all words common, but together this rare: the walk would read 50,000
STATS_TTL = 60.0  # seconds an engine's word statistics are reused by this process
SQLITE_WALK_FROM = 2000  # matches from which SQLite walks newest first instead of sorting all


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
        if walks(words):
            # The operator's function, not the operator: the same test, which the planner
            # cannot answer from the GIN index. Otherwise it likes to AND the GIN bitmap of a
            # common word (~150,000 entries, ~200 ms) with a requester's few hundred items.
            where = "ts_match_vq(work_workitem.search_doc, to_tsquery('simple', %s))"
        else:
            # ARRAY(...) is computed once, through the GIN index, before the outer query.
            where = (
                "work_workitem.id = ANY(ARRAY(SELECT m.id FROM work_workitem m "
                "WHERE m.search_doc @@ to_tsquery('simple', %s)))"
            )
        return cast("WorkItemQuerySet", qs.extra(where=[where], params=[query]))
    query = _fts5_query(words)
    # `+id` is the same test, but not a rowid SQLite may look rows up by: it then walks an index
    # newest first and checks each row against the matches, collected once.
    matches = "IN (SELECT rowid FROM work_search WHERE work_search MATCH %s)"
    where = f"+work_workitem.id {matches}" if walks(words) else f"work_workitem.id {matches}"
    return cast("WorkItemQuerySet", qs.extra(where=[where], params=[query]))


def _fts5_query(words: list[str]) -> str:
    """Every word quoted (so operators in the text are just words), prefix-matched."""
    return " ".join('"{}"*'.format(w.replace('"', "")) for w in words)


# --- how common are the words? --------------------------------------------------------------

_lock = threading.Lock()
_stats: dict[str, tuple[float, dict[str, float]]] = {}


def walks(words: list[str]) -> bool:
    """Is a newest-first walk with the match as a filter the cheap plan for these words?

    Only when every word is common: one rare word makes the full-text index's answer short
    (its posting list bounds the intersection), and too rare a combination of common words
    would make the walk read most of the table before it has 50 hits.
    """
    if connection.vendor != "postgresql":
        return _sqlite_many_matches(words)
    shares = [_prefix_share(w.lower()) for w in words]
    combined = 1.0
    for value in shares:
        combined *= value
    return min(shares) >= COMMON and combined >= RARE_COMBINATION


def _sqlite_many_matches(words: list[str]) -> bool:
    """At least SQLITE_WALK_FROM items match all the words (counting stops there).

    Sorting every match by date cost 50 ms for a word in 16 % of 300,000 items and seconds at a
    million; the walk with the matches as a filter, 7 ms. Few matches are cheaper to sort than
    a walk that may read the whole tenant before it has 50. FTS5 keeps no word statistics
    PostgreSQL-style, so the count is asked directly, stopping at the threshold (well under a
    millisecond).
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT 1 FROM work_search WHERE work_search MATCH %s LIMIT %s)",
            [_fts5_query(words), SQLITE_WALK_FROM],
        )
        (found,) = cursor.fetchone()
    return bool(found >= SQLITE_WALK_FROM)


def _prefix_share(word: str) -> float:
    freqs = _postgres_frequencies()
    return min(1.0, sum(f for lexeme, f in freqs.items() if lexeme.startswith(word)))


def _postgres_frequencies() -> dict[str, float]:
    """Lexeme → share of rows holding it, from ANALYZE's statistics of `search_doc`."""
    key = f"pg:{connection.alias}"
    now = time.monotonic()
    with _lock:
        cached = _stats.get(key)
        if cached and cached[0] > now:
            return cached[1]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
            "WHERE tablename = 'work_workitem' AND attname = 'search_doc' "
            "AND schemaname = current_schema()"
        )
        row = cursor.fetchone()
    freqs: dict[str, float] = {}
    if row and row[0]:
        freqs = dict(zip(row[0], row[1][: len(row[0])], strict=True))
    with _lock:
        _stats[key] = (now + STATS_TTL, freqs)
    return freqs


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
