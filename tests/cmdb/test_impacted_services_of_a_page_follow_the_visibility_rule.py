"""The impacted services of a page of items, read with hand-written SQL, follow `_seen_by`.

`worklinks.impacted_by_item` serves every incident list and page (benchmarks/README.md, issue 6)
from a statement built once per process instead of the ORM. This pins it to the ORM form of the
same rule (DOMAIN.md §2.7): a service of the item's own tenant, or one shared down from an
ancestor; requesters see live services only; nearest first.
"""

from __future__ import annotations

from serval.cmdb import worklinks
from serval.cmdb.models import ImpactedService
from serval.services.models import Service
from tests import factories as f


def _service(tenant, name: str, *, status: str = "live", shared: bool = False) -> Service:
    return Service.objects.create(tenant=tenant, name=name, status=status, shared=shared)


def test_page_of_items_sees_own_and_shared_services_and_requesters_only_live_ones(world):
    sub = f.make_tenant("Branch", parent=world.tenant)
    agent = f.make_user("agent", sub, "bea")
    requester = f.make_user("requester", sub, "rob")
    one = f.make_incident(agent, title="one", caller=requester.username)
    two = f.make_incident(agent, title="two", caller=requester.username)
    services = {
        "own live": _service(sub, "Own live"),
        "own pipeline": _service(sub, "Own pipeline", status="pipeline"),
        "parent shared": _service(world.tenant, "Parent shared", shared=True),
        "parent private": _service(world.tenant, "Parent private"),
        "parent shared retired": _service(
            world.tenant, "Parent shared retired", status="retired", shared=True
        ),
    }
    for depth, service in enumerate(services.values()):
        for item in (one, two):
            ImpactedService.objects.create(
                tenant=sub, work_item=item, service=service, depth=5 - depth
            )

    def by_orm(user) -> dict[int, list[dict]]:
        rows = (
            ImpactedService.objects.filter(worklinks._seen_by(user), work_item__in=[one, two])
            .order_by("depth", "service_id", "pk")
            .values_list("work_item_id", "service_id", "service__name")
        )
        found: dict[int, list[dict]] = {}
        for item_id, service_id, name in rows:
            found.setdefault(item_id, []).append({"id": service_id, "name": name})
        return found

    for user, names in (
        (agent, ["Parent shared retired", "Parent shared", "Own pipeline", "Own live"]),
        (requester, ["Parent shared", "Own live"]),
    ):
        got = worklinks.impacted_by_item([one.pk, two.pk], user)
        assert got == by_orm(user)
        assert [s["name"] for s in got[one.pk]] == names
        assert got[two.pk] == got[one.pk]
    assert worklinks.impacted_by_item([], agent) == {}
    assert worklinks.impacted_by_item([two.pk + 1000], agent) == {}
