"""SECURITY-REFERENCE A1/A5 at the queryset level (DESIGN.md rule 2 and 8): `visible_to` decides
who sees a work item — agents their tenants, requesters their own and their organization's
items — and `access_work_item` answers NotFound, never a 403, for anything out of reach."""

from __future__ import annotations

import pytest

from serval.core.errors import NotFound
from serval.work.models import WorkItem
from serval.work.querysets import access_work_item
from tests import factories as f

# persona -> can see an incident raised by rita (org Finance) in the home tenant
EXPECTED = {
    "admin": True,
    "agent": True,
    "agent2": True,
    "manager": True,
    "requester": True,  # the caller
    "requester_same_org": True,
    "requester_other_org": False,
    "outsider_agent": False,
    "outsider_requester": False,
}


@pytest.mark.parametrize("persona, sees", sorted(EXPECTED.items()))
def test_who_sees_a_requesters_incident(world, persona, sees):
    inc = f.make_incident(world.requester)
    user = getattr(world, persona)
    assert WorkItem.objects.visible_to(user).filter(pk=inc.pk).exists() is sees
    if sees:
        assert access_work_item(user, inc.number.lower()).pk == inc.pk
    else:
        with pytest.raises(NotFound):
            access_work_item(user, inc.number)


def test_a_requester_sees_items_they_opened_for_someone_else_only_if_caller_or_opener(world):
    for_rita = f.make_incident(world.agent, caller=world.requester.pk)
    for_olga = f.make_incident(world.agent, caller=world.requester_other_org.pk)
    seen = set(WorkItem.objects.visible_to(world.requester).values_list("pk", flat=True))
    assert for_rita.pk in seen and for_olga.pk not in seen


def test_an_agents_own_tenant_is_everything_it_sees(world):
    home = f.make_incident(world.agent)
    away = f.make_incident(world.outsider_agent)
    assert set(WorkItem.objects.visible_to(world.agent).values_list("pk", flat=True)) >= {home.pk}
    assert not WorkItem.objects.visible_to(world.agent).filter(pk=away.pk).exists()
    assert list(WorkItem.objects.visible_to(world.outsider_agent)) == [away]


def test_an_inactive_or_anonymous_user_sees_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    f.make_incident(world.agent)
    assert not WorkItem.objects.visible_to(AnonymousUser()).exists()
    world.agent.is_active = False
    world.agent.save()
    fresh = type(world.agent).objects.get(pk=world.agent.pk)
    assert not WorkItem.objects.visible_to(fresh).exists()


@pytest.mark.parametrize("number", ["INC-0", "", "INC-1%", "' OR 1=1 --", "inc-*", "INC-1\x00"])
def test_unknown_or_odd_numbers_are_not_found(world, number):
    f.make_incident(world.agent)
    with pytest.raises(NotFound):
        access_work_item(world.agent, number)
