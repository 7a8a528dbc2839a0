"""A CI's history is evidence people read (DOMAIN.md §2.7, ISO/IEC 20000 8.2.6): verbs appear as
words, not identifiers, and times in a readable form."""

from django.test import Client

from tests.cmdb.conftest import make_ci, relate


def test_history_shows_words_not_verbs(world):
    server = make_ci(world.agent, "srv-9")
    db = make_ci(world.agent, "db-9")
    relate(world.agent, db, "runs_on", server)
    client = Client()
    client.force_login(world.agent)
    html = client.get(f"/cmdb/cis/{db.pk}/").content.decode()
    assert "Relationship added" in html and "Created" in html
    assert "relationship_added" not in html
