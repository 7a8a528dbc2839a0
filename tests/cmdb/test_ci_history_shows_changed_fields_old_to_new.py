"""Issue 4: a CI's history shows what changed from what to what, as the incident timeline does
(DOMAIN.md §2.7, ISO/IEC 20000 8.2.6) — labels instead of stored keys, class attributes one by
one, and neighbours named with a link."""

from __future__ import annotations

import re

from django.test import Client

from serval.cmdb import actions
from tests.cmdb.conftest import make_ci, relate


def _history(client: Client, pk: int) -> str:
    html = client.get(f"/cmdb/cis/{pk}/").content.decode()
    return html[html.index('id="h-history"') :]


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_an_edit_lists_each_field_old_to_new_with_labels(world):
    db = make_ci(world.agent, "db-7", "db_instance", attributes={"port": 5432})
    actions.update_ci(
        actor=world.agent,
        ci=db,
        operational_status="degraded",
        support_team=world.team,
        attributes={"port": 5433, "engine": "postgresql"},
    )
    client = Client()
    client.force_login(world.agent)
    text = _text(_history(client, db.pk))
    assert "Operational status Operational to Degraded" in text
    assert "Support team — to Service Desk" in text
    assert "port 5432 to 5433" in text and "engine — to postgresql" in text
    assert "degraded" not in text  # the stored key never shows, only its label


def test_creation_lists_the_fields_set_and_relationships_link_the_other_ci(world):
    server = make_ci(world.agent, "srv-7", hostname="srv-7.example")
    db = make_ci(world.agent, "db-8", "db_instance")
    relate(world.agent, db, "runs_on", server)
    client = Client()
    client.force_login(world.agent)
    html = _history(client, db.pk)
    assert "Runs on" in html and f'href="/cmdb/cis/{server.pk}/"' in html
    server_text = _text(_history(client, server.pk))
    assert "Runs db-8" in server_text  # the reverse label, seen from the child
    assert "Host name srv-7.example" in server_text and "Class Server" in server_text


def test_a_neighbour_of_another_tenant_is_never_named_or_linked(world):
    """Relationships never cross tenants, but the history reads names only through visibility."""
    from serval.cmdb import history

    db = make_ci(world.agent, "db-9", "db_instance")
    other = make_ci(world.outsider_agent, "secret-app", "business_application")
    from serval.core import journal

    journal.append(
        tenant=db.tenant_id,
        subject_type="ci",
        subject_id=db.pk,
        verb="relationship_added",
        actor=None,
        data={"relationship": 0, "parent": other.pk, "type": "depends_on", "child": db.pk},
    )
    [entry] = [e for e in history.entries(db, world.agent, list(history.events(db.pk)))][:1]
    assert "secret-app" not in entry.detail and entry.url == ""
