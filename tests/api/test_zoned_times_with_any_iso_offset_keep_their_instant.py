"""Bad input gets a clear answer, never a 500 (DESIGN.md §6). ISO 8601 allows a UTC offset up to
±23:59, which Python parses; PostgreSQL refuses anything beyond ±15:59, so a CI's `last_seen`
of `…+23:33` was a server error there (found by the schema sweep). Zoned times are handed on in
UTC: the instant is kept, on both databases. Years the database cannot hold stay a 422."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from serval.cmdb.models import CI
from tests.api.conftest import assert_problem
from tests.cmdb.conftest import _seeded, make_ci  # noqa: F401  (autouse: the CI classes)


def test_an_offset_postgresql_cannot_hold_still_names_the_same_instant(world, api_as):
    ci = make_ci(world.agent, "srv-offset")
    r = api_as(world.agent).patch(f"cmdb/cis/{ci.pk}", {"last_seen": "2031-02-22T02:31:01+23:33"})
    assert r.status_code == 200, r.content
    expected = datetime(2031, 2, 22, 2, 31, 1, tzinfo=UTC) - timedelta(hours=23, minutes=33)
    assert CI.objects.get(pk=ci.pk).last_seen == expected
    assert datetime.fromisoformat(r.json()["last_seen"]) == expected


def test_a_year_out_of_range_is_a_field_error(world, api_as):
    ci = make_ci(world.agent, "srv-year")
    r = api_as(world.agent).patch(f"cmdb/cis/{ci.pk}", {"last_seen": "9999-12-31T23:00:00-14:00"})
    assert assert_problem(r, 422)["errors"][0]["field"].endswith("last_seen")
    assert CI.objects.get(pk=ci.pk).last_seen is None
