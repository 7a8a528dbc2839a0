"""Compliance position = entitlements − consumption, per product and metric (DOMAIN.md §2.8)."""

from __future__ import annotations

from serval.assets import compliance, software
from tests import factories as f
from tests.assets.conftest import days, install, make_ci, make_product, make_version


def _position(licence):
    return compliance.positions([compliance.pool_of(licence)])[compliance.pool_of(licence)]


def test_per_device_counts_each_ci_once_and_only_active_licences_entitle(world):
    product = make_product(world.admin, "Office")
    v1, v2 = make_version(world.admin, product, "1"), make_version(world.admin, product, "2")
    a, b, c = (make_ci(world.agent, n) for n in "abc")
    for ci in (a, b):
        install(world.agent, ci, v1)
    install(world.agent, a, v2)  # a second version on the same device is still one device
    install(world.agent, c, v2)
    current = software.create_licence(
        actor=world.agent, name="EA", product=product, metric="device", quantity=2
    )
    software.create_licence(
        actor=world.agent,
        name="old",
        product=product,
        metric="device",
        quantity=50,
        term_start=days(-400),
        term_end=days(-1),
    )
    pos = _position(current)
    assert (pos.entitlements, pos.consumption, pos.position, pos.compliant) == (2, 3, -1, False)
    software.update_licence(actor=world.agent, licence=current, quantity=5)
    assert _position(current).position == 2


def test_per_core_sums_the_cpu_count_with_one_core_at_least(world):
    product = make_product(world.admin, "DB")
    version = make_version(world.admin, product, "15")
    install(world.agent, make_ci(world.agent, "big", attributes={"cpu_count": 16}), version)
    install(world.agent, make_ci(world.agent, "unknown"), version)
    licence = software.create_licence(
        actor=world.agent, name="cores", product=product, metric="core", quantity=16
    )
    pos = _position(licence)
    assert (pos.entitlements, pos.consumption, pos.position) == (16, 17, -1)


def test_per_user_counts_distinct_assigned_users_across_the_pool(world):
    product = make_product(world.admin, "CRM")
    one = software.create_licence(
        actor=world.agent,
        name="seats",
        product=product,
        metric="user",
        quantity=3,
        assigned_users=[world.agent, world.agent2],
    )
    software.create_licence(
        actor=world.agent,
        name="more seats",
        product=product,
        metric="user",
        quantity=1,
        assigned_users=[world.agent2, world.manager],
    )
    pos = _position(one)
    assert (pos.entitlements, pos.consumption, pos.position) == (4, 3, 1)


def test_a_sub_tenant_uses_a_shared_product_in_its_own_pool(world):
    child = f.make_tenant("Branch", parent=world.tenant)
    branch_agent = f.make_user("agent", child)
    product = make_product(world.admin, "Shared thing", shared=True)
    version = make_version(world.admin, product, "1")
    install(world.agent, make_ci(world.agent, "ours"), version)
    install(branch_agent, make_ci(branch_agent, "theirs"), version)
    install(branch_agent, make_ci(branch_agent, "theirs too"), version)
    ours = software.create_licence(
        actor=world.agent, name="ours", product=product, metric="device", quantity=1
    )
    theirs = software.create_licence(
        actor=branch_agent, name="theirs", product=product, metric="device", quantity=1
    )
    assert _position(ours).position == 0
    assert _position(theirs).position == -1
