"""On a CI's page an agent relates it to another CI — this CI as parent or child, of a type,
the other named by a suggestion ("name #id"), its name or host name — and removes a
relationship after a confirmation page. The type's rules (no self-loop, one parent for
"contains") and the tenant rule come back as form errors and write nothing; suggestions are
CIs of the same tenant the agent sees, at most 50; requesters and outsiders get a 404.
The impacted services of an incident follow (recomputed by the actions) and show on its page.
"""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.test import Client

from serval.cmdb import worklinks
from serval.cmdb.models import CIRelationship
from serval.people.models import TenantGrant
from serval.services import actions as services
from tests import factories as f
from tests.cmdb import incident_estate
from tests.cmdb.conftest import make_ci, relate
from tests.notifications.conftest import run_queue


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _add(client, ci, other, kind="depends_on", direction="parent", **kw):
    return client.post(
        f"/cmdb/cis/{ci.pk}/relationships",
        {"type": kind, "direction": direction, "other": other},
        **kw,
    )


def test_add_as_parent_or_child_by_suggestion_or_host_name_then_remove(world):
    app = make_ci(world.agent, "app-1", "business_application")
    db = make_ci(world.agent, "db-1", "db_instance", hostname="db1.example.org")
    host = make_ci(world.agent, "srv-1", "server")
    client = _client(world.agent)
    page = client.get(f"/cmdb/cis/{app.pk}/").content.decode()
    assert f'action="/cmdb/cis/{app.pk}/relationships"' in page
    assert f'<option value="db-1 #{db.pk}">Database instance · db1.example.org</option>' in page
    added = _add(client, app, f"db-1 #{db.pk}", follow=True)
    assert [str(m) for m in get_messages(added.wsgi_request)] == ["app-1 depends on db-1."]
    _add(client, db, "srv-1", kind="runs_on")  # by name; db runs on srv-1
    _add(client, host, "DB1.example.org.", kind="hosted_on", direction="child")
    assert {(r.parent.name, r.type.name, r.child.name) for r in CIRelationship.objects.all()} == {
        ("app-1", "depends_on", "db-1"),
        ("db-1", "runs_on", "srv-1"),
        ("db-1", "hosted_on", "srv-1"),
    }
    rel = CIRelationship.objects.get(parent=app)
    page = client.get(f"/cmdb/cis/{db.pk}/").content.decode()
    remove = f"/cmdb/cis/{db.pk}/relationships/{rel.pk}/remove"
    assert f'href="{remove}"' in page
    ask = client.get(remove).content.decode()
    assert "“app-1 depends on db-1” is removed" in ask and f'action="{remove}"' in ask
    assert CIRelationship.objects.filter(pk=rel.pk).exists()
    removed = client.post(remove, follow=True)
    assert [str(m) for m in get_messages(removed.wsgi_request)] == [
        "Removed: app-1 depends on db-1."
    ]
    assert not CIRelationship.objects.filter(pk=rel.pk).exists()


def test_rule_violations_are_form_errors_and_write_nothing(world):
    rack = make_ci(world.agent, "rack-1", "server")
    rack2 = make_ci(world.agent, "rack-2", "server")
    blade = make_ci(world.agent, "blade-1", "server")
    relate(world.agent, rack, "contains", blade)
    client = _client(world.agent)
    cases = [
        (rack, f"rack-1 #{rack.pk}", "depends_on", "A CI cannot be related to itself."),
        (rack2, f"blade-1 #{blade.pk}", "contains", "blade-1 already has a parent of type"),
        (rack, f"blade-1 #{blade.pk}", "contains", "These CIs are already related this way."),
        (rack, "nothing-called-this", "depends_on", "No CI you can see has this name"),
        (rack, "", "depends_on", "This field is required."),
    ]
    for ci, other, kind, error in cases:
        response = _add(client, ci, other, kind=kind)
        assert response.status_code == 200
        html = response.content.decode()
        assert error in html, error
        assert 'aria-invalid="true"' in html  # on the field, not a flash message
    assert CIRelationship.objects.count() == 1


def test_two_cis_of_one_name_must_be_picked_from_the_suggestions(world):
    app = make_ci(world.agent, "app-1", "business_application")
    make_ci(world.agent, "twin", "server")
    make_ci(world.agent, "twin", "server")
    html = _add(_client(world.agent), app, "twin").content.decode()
    assert "Several CIs match; pick one of the suggestions." in html
    assert not CIRelationship.objects.exists()


def test_a_ci_of_another_tenant_is_refused_and_not_suggested(world):
    app = make_ci(world.agent, "app-1", "business_application")
    foreign = make_ci(world.outsider_agent, "db-elsewhere", "db_instance")
    client = _client(world.agent)
    unseen = _add(client, app, f"db-elsewhere #{foreign.pk}").content.decode()
    assert "No CI you can see has this name" in unseen
    TenantGrant.objects.create(user=world.agent, tenant=world.other_tenant)
    page = client.get(f"/cmdb/cis/{app.pk}/").content.decode()
    assert "db-elsewhere" not in page  # suggestions are of the CI's tenant
    options = client.get(f"/cmdb/cis/{app.pk}/relationships/options", {"other": "db-"})
    assert "db-elsewhere" not in options.content.decode()
    seen = _add(client, app, f"db-elsewhere #{foreign.pk}").content.decode()
    assert "Only CIs of the same tenant can be related." in seen
    assert not CIRelationship.objects.exists()


def test_suggestions_filter_by_text_and_stop_at_fifty(world):
    app = make_ci(world.agent, "app-1", "business_application")
    for n in range(55):
        make_ci(world.agent, f"node-{n:02}", "server", hostname=f"h{n:02}")
    client = _client(world.agent)
    url = f"/cmdb/cis/{app.pk}/relationships/options"
    assert client.get(url, {"other": ""}).content.decode().count("<option") == 50
    found = client.get(url, {"other": "H07"}).content.decode()
    assert found.count("<option") == 1 and "node-07 #" in found


def test_requesters_and_outsiders_get_404(world):
    app = make_ci(world.agent, "app-1", "business_application")
    db = make_ci(world.agent, "db-1", "db_instance")
    rel = relate(world.agent, app, "depends_on", db)
    for user in (world.requester, world.outsider_agent):
        client = _client(user)
        assert _add(client, db, f"app-1 #{app.pk}", kind="runs_on").status_code == 404
        assert client.get(f"/cmdb/cis/{app.pk}/relationships/options").status_code == 404
        remove = f"/cmdb/cis/{app.pk}/relationships/{rel.pk}/remove"
        assert client.get(remove).status_code == 404
        assert client.post(remove).status_code == 404
    assert CIRelationship.objects.count() == 1


def test_an_incident_page_shows_the_service_a_new_dependency_reaches(world):
    a = world.agent
    e = incident_estate.build(world)
    inc = f.make_incident(a)
    worklinks.link_ci(actor=a, item=inc, ci=e.host)
    web = make_ci(a, "web-01", "app_server")
    shop = services.create_service(actor=world.manager, name="Shop", status="live")
    from serval.cmdb import actions

    actions.link_service(actor=a, service=shop, ci=web)
    run_queue()
    client = _client(a)
    url = f"/incidents/{inc.number}/"
    assert f'href="/services/{shop.pk}/"' not in client.get(url).content.decode()
    _add(client, web, f"{e.app.name} #{e.app.pk}")
    run_queue()
    assert f'href="/services/{shop.pk}/"' in client.get(url).content.decode()
    rel = CIRelationship.objects.get(parent=web)
    client.post(f"/cmdb/cis/{web.pk}/relationships/{rel.pk}/remove")
    run_queue()
    assert f'href="/services/{shop.pk}/"' not in client.get(url).content.decode()
