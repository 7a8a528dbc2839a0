"""Issue 3: escalation "as configurable actions" — set from the definition page per level (mail
the manager early, reassign to a team), stored as the engine's rules, shown again on edit;
a team out of the tenant's reach is refused and nothing is written (SECURITY-REFERENCE A3)."""

from django.test import Client

from serval.sla.models import SlaDefinition
from tests.sla.test_definition_admin_page_creates_edits_and_previews import _form


def _admin(world):
    client = Client()
    client.force_login(world.admin)
    return client


def test_rules_are_saved_and_shown_again(world):
    client = _admin(world)
    data = _form(esc_50_notify="on", esc_100_team=str(world.team2.pk))
    assert client.post("/sla/definitions/new", data).status_code == 302
    definition = SlaDefinition.objects.get(name="Gold resolution")
    assert definition.escalation == [
        {"at": 50, "action": "notify_manager"},
        {"at": 100, "action": "reassign", "team": world.team2.pk},
    ]
    html = client.get(f"/sla/definitions/{definition.pk}/").content.decode()
    assert (
        'name="esc_50_notify"' in html and "checked" in html.split('name="esc_50_notify"')[1][:80]
    )
    assert f'<option value="{world.team2.pk}" selected>' in html


def test_a_team_of_another_tenant_is_refused(world):
    client = _admin(world)
    response = client.post("/sla/definitions/new", _form(esc_75_team=str(world.outsider_team.pk)))
    assert response.status_code == 200
    assert not SlaDefinition.objects.filter(name="Gold resolution").exists()
