"""Nothing of another tenant or another organization is reachable through the API: 404, not 403.

SECURITY-REFERENCE A1, A2 (IDOR, attachments), DESIGN.md rule 8 (out of reach is a 404).
"""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.api.conftest import Api, assert_problem

ENDPOINTS = [
    ("get", "", None),
    ("patch", "", {"title": "Hijacked"}),
    ("post", "/transition", {"to": "cancelled", "cancel_reason": "x"}),
    ("post", "/comments", {"body": "hello"}),
    ("get", "/journal", None),
    ("get", "/attachments", None),
    ("get", "/watchers", None),
    ("post", "/watchers", {}),
    ("post", "/major", {"action": "propose"}),
]


@pytest.fixture
def victim(world):
    """An incident of Finance (rita's organization) in the main tenant, with a file."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from serval.work.actions import add_attachment

    item = f.make_incident(world.requester, title="Salary sheet wrong")
    add_attachment(item=item, actor=world.agent, upload=SimpleUploadedFile("a.txt", b"secret"))
    return item


@pytest.mark.parametrize(("method", "suffix", "body"), ENDPOINTS)
@pytest.mark.parametrize("who", ["outsider_agent", "outsider_requester", "requester_other_org"])
def test_outsiders_get_404_everywhere(world, victim, who, method, suffix, body):
    api = Api(f.token_for(getattr(world, who)))
    path = f"incidents/{victim.number}{suffix}"
    response = api.call(method, path, body)
    assert_problem(response, 404)


@pytest.mark.parametrize("who", ["outsider_agent", "outsider_requester", "requester_other_org"])
def test_outsiders_cannot_download_or_list_it(world, victim, who):
    api = Api(f.token_for(getattr(world, who)))
    attachment = victim.attachments.get()
    assert_problem(api.get(f"attachments/{attachment.pk}/download"), 404)
    numbers = [i["number"] for i in api.get("incidents").json()["items"]]
    assert victim.number not in numbers
    assert api.get(f"incidents?q={victim.number}").json()["items"] == []


def test_a_colleague_in_the_same_organization_can_read_it(world, victim):
    api = Api(f.token_for(world.requester_same_org))
    assert api.get(f"incidents/{victim.number}").status_code == 200


def test_the_outsider_agent_sees_their_own_tenant_only(world, victim):
    own = f.make_incident(world.outsider_agent, title="Other Co printer")
    api = Api(f.token_for(world.outsider_agent))
    assert [i["number"] for i in api.get("incidents").json()["items"]] == [own.number]
    assert api.get(f"incidents/{own.number}").status_code == 200
