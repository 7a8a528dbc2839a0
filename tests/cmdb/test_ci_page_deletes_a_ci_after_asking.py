""" "Delete" on a CI's page asks first (a page saying what goes with it); only the POST of that
page deletes, through `delete_ci`, which journals the CI and its relationships. Requesters and
other tenants get a 404 and delete nothing.
"""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.test import Client

from serval.cmdb.models import CI, CIRelationship
from serval.core.models import JournalEvent
from tests.cmdb.conftest import make_ci, relate


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_asking_deletes_nothing_and_confirming_deletes_the_ci(world):
    app = make_ci(world.agent, "app-1", "business_application")
    db = make_ci(world.agent, "db-1", "db_instance")
    relate(world.agent, app, "depends_on", db)
    client = _client(world.agent)
    ask = client.get(f"/cmdb/cis/{db.pk}/delete").content.decode()
    assert "Delete “db-1”?" in ask and "1 relationship(s)" in ask
    assert f'action="/cmdb/cis/{db.pk}/delete"' in ask and 'method="post"' in ask
    assert CI.objects.filter(pk=db.pk).exists()
    done = client.post(f"/cmdb/cis/{db.pk}/delete", follow=True)
    assert done.redirect_chain[-1][0] == "/cmdb/cis/"
    assert [str(m) for m in get_messages(done.wsgi_request)] == ["The CI “db-1” was deleted."]
    assert not CI.objects.filter(pk=db.pk).exists() and not CIRelationship.objects.exists()
    assert JournalEvent.objects.filter(subject_type="ci", subject_id=db.pk, verb="deleted").exists()


def test_requesters_and_outsiders_get_404(world):
    db = make_ci(world.agent, "db-2", "db_instance")
    for user in (world.requester, world.outsider_agent):
        client = _client(user)
        assert client.get(f"/cmdb/cis/{db.pk}/delete").status_code == 404
        assert client.post(f"/cmdb/cis/{db.pk}/delete").status_code == 404
    assert CI.objects.filter(pk=db.pk).exists()
