"""Issue 6: PostgreSQL planned every statement of every request again — about half of its work
for an agent's queue, more for an incident page — because Django's default client-side binding
writes the values into the statement text, so no two texts match and nothing is prepared.
Serval binds on the server (values apart from the text), and psycopg prepares a statement after
a connection has run it five times. `SERVAL_DB_SERVER_SIDE_BINDING=0` turns it off for poolers
that cannot keep prepared statements (docs/configuration.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.db import connection

from serval.people.models import User
from tests import factories as f


def _database_options(**env: str) -> dict[str, object]:
    """The DATABASES options the settings module builds for a PostgreSQL URL (it connects to
    nothing), in a fresh interpreter so the environment is read again."""
    code = (
        "import json; from serval import settings; "
        "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "DATABASE_URL": "postgres://u:p@127.0.0.1:1/none", **env},
    )
    return json.loads(out.stdout)


def test_postgresql_binds_on_the_server_unless_turned_off():
    on = _database_options()
    assert on["server_side_binding"] is True and on["prepare_threshold"] == 5
    off = _database_options(SERVAL_DB_SERVER_SIDE_BINDING="0")
    assert "server_side_binding" not in off and "prepare_threshold" not in off


@pytest.mark.django_db
def test_a_statement_run_again_with_other_values_is_prepared_once():
    tenant = f.make_tenant()
    people = [f.make_user("agent", tenant) for _ in range(7)]
    if connection.vendor != "postgresql":
        # SQLite has no server to plan anything: its options carry no binding switch.
        assert "server_side_binding" not in connection.settings_dict["OPTIONS"]
        return
    emails = [list(User.objects.filter(pk=p.pk).values_list("email", flat=True)) for p in people]
    assert emails == [[p.email] for p in people]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
            ['SELECT "people_user"."email" AS "email" FROM "people_user" WHERE %."id" = $1%'],
        )
        prepared = [row[0] for row in cursor.fetchall()]
    # Seven lookups of seven different users: one statement, the value a parameter.
    assert len(prepared) == 1, prepared
