"""ETag / If-Match: a write based on an old read is refused, never a silent overwrite.

DESIGN.md rule 6; DOMAIN.md common task base (every change audited).
"""

from __future__ import annotations

from tests import factories as f
from tests.api.conftest import assert_problem


def test_patch_with_an_old_etag_is_412_and_changes_nothing(world, api_as):
    api = api_as(world.agent)
    number = f.make_incident(world.agent, title="Slow wiki").number
    first = api.get(f"incidents/{number}")
    old_etag = first["ETag"]
    assert old_etag == f'"{first.json()["id"]}-1"'

    ok = api.patch(f"incidents/{number}", {"urgency": 1}, **{"If-Match": old_etag})
    assert ok.status_code == 200
    assert ok.json()["priority"] == 3  # impact 3 × urgency 1 → P3 (DOMAIN.md §2.1)
    stale = api.patch(f"incidents/{number}", {"title": "Lost update"}, **{"If-Match": old_etag})
    body = assert_problem(stale, 412)
    assert body["current_version"] == ok.json()["version"]
    assert api.get(f"incidents/{number}").json()["title"] == "Slow wiki"


def test_a_fresh_etag_or_none_at_all_is_accepted(world, api_as):
    api = api_as(world.agent)
    number = f.make_incident(world.agent).number
    etag = api.get(f"incidents/{number}")["ETag"]
    assert (
        api.patch(f"incidents/{number}", {"category": "mail"}, **{"If-Match": etag}).status_code
        == 200
    )
    assert api.patch(f"incidents/{number}", {"category": "net"}).status_code == 200


def test_transitions_honour_if_match_too(world, api_as):
    api = api_as(world.agent)
    number = f.make_incident(world.agent, assignment_group=world.team.pk).number
    etag = api.get(f"incidents/{number}")["ETag"]
    api.post(f"incidents/{number}/comments", {"body": "bump"})
    stale = api.post(f"incidents/{number}/transition", {"to": "in_progress"}, **{"If-Match": etag})
    assert_problem(stale, 412)


def test_a_garbage_if_match_is_412(world, api_as):
    api = api_as(world.agent)
    number = f.make_incident(world.agent).number
    assert_problem(api.patch(f"incidents/{number}", {"category": "x"}, **{"If-Match": "nope"}), 412)
