"""DESIGN.md rule 8 / issue 2 "People and access": a user works in their home tenant plus the
tenants granted to them, optionally including the granted tenant's sub-tenants (MSP staff)."""

from __future__ import annotations

from serval.core.tenancy import reach, shared_reach
from serval.people.models import TenantGrant, User
from serval.work.models import WorkItem
from tests import factories as f


def _fresh(user):
    """`reach` is cached per user object, as it is per request; re-read to see new grants."""
    return User.objects.get(pk=user.pk)


def _tree(world):
    msp = f.make_tenant("MSP")
    customer = f.make_tenant("Customer", parent=msp)
    site = f.make_tenant("Customer Site", parent=customer)
    items = {}
    for tenant in (msp, customer, site):
        agent = f.make_user("agent", tenant)
        items[tenant.pk] = f.make_incident(agent)
    return msp, customer, site, items


def test_without_grants_only_the_home_tenant(world):
    msp, customer, site, items = _tree(world)
    assert reach(_fresh(world.agent)) == {world.tenant.pk}
    assert (
        not WorkItem.objects.visible_to(world.agent)
        .filter(pk__in=[i.pk for i in items.values()])
        .exists()
    )


def test_a_plain_grant_adds_exactly_that_tenant(world):
    msp, customer, site, items = _tree(world)
    TenantGrant.objects.create(user=world.agent, tenant=customer)
    agent = _fresh(world.agent)
    assert reach(agent) == {world.tenant.pk, customer.pk}
    seen = set(WorkItem.objects.visible_to(agent).values_list("pk", flat=True))
    assert items[customer.pk].pk in seen
    assert items[site.pk].pk not in seen and items[msp.pk].pk not in seen


def test_a_grant_with_descendants_adds_the_subtree_but_not_the_ancestors(world):
    msp, customer, site, items = _tree(world)
    TenantGrant.objects.create(user=world.agent, tenant=customer, include_descendants=True)
    agent = _fresh(world.agent)
    assert reach(agent) == {world.tenant.pk, customer.pk, site.pk}
    seen = set(WorkItem.objects.visible_to(agent).values_list("pk", flat=True))
    assert {items[customer.pk].pk, items[site.pk].pk} <= seen
    assert items[msp.pk].pk not in seen
    # ancestors only lend shared reference data, never their work items
    assert msp.pk in shared_reach(agent) and msp.pk not in reach(agent)


def test_a_granted_agent_can_work_on_the_granted_tenants_items(world):
    from serval.incidents import actions as incidents

    msp, customer, site, items = _tree(world)
    TenantGrant.objects.create(user=world.agent, tenant=msp, include_descendants=True)
    agent = _fresh(world.agent)
    inc = incidents.create_incident(actor=agent, tenant=site, title="On site")
    assert inc.tenant == site and inc.caller == agent
