"""Shared fixtures: personas in two tenants (owner / member / outsider, as in Healthchecks)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from pytest_django.plugin import blocking_manager_key

from serval.core.journal import set_guards
from serval.core.models import Tenant
from serval.people.models import Organization, Team, User
from tests import factories as f


@pytest.fixture(scope="session", autouse=True)
def _plain_http_like_make_test():
    """Plain http for the whole session, as `make test` has it (SERVAL_SECURE_SSL=0), also
    when pytest is run directly: the live server of the browser tests is built once per
    session, before any per-test setting, and its security middleware reads the redirect
    setting when built — with it on, Chromium was sent to https and every browser test failed."""
    from django.test.utils import override_settings

    override = override_settings(
        SECURE_SSL_REDIRECT=False,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
        SECURE_HSTS_SECONDS=0,
    )
    override.enable()
    yield
    override.disable()


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ATTACHMENT_DIR = tmp_path / "attachments"
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database as migrated, with the seeded approval policies switched off.

    Approvals migration 0003 seeds DOMAIN.md's change authorities in the root tenant, where the
    `world` personas live; left on, they would add approvers to every change a test submits.
    Tests build the policies they mean (`tests/changes/conftest.py::make_policies`); tests of
    the seeds switch them back on (`tests/approvals/conftest.py::seeded_policies`).
    """
    with django_db_blocker.unblock():
        from serval.approvals.models import ApprovalPolicy
        from serval.approvals.seed import POLICY_NAMES

        ApprovalPolicy.objects.filter(name__in=POLICY_NAMES, tenant__parent=None).update(
            active=False
        )
    yield


def _is_transactional(item: pytest.Item) -> bool:
    names = getattr(item, "fixturenames", ())
    return "transactional_db" in names or "live_server" in names


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    """Let a transactional test's flush through, then put back what migrations had made.

    SQLite's flush DELETEs every row, which the journal's append-only triggers refuse (PostgreSQL
    flushes with TRUNCATE, which they allow): drop them before any fixture is torn down. The
    flush also removes the rows data migrations seeded (root tenant, priority matrix, number
    sequences); restore them and the triggers afterwards so later tests see a migrated database.
    """
    if not _is_transactional(item):
        return (yield)
    blocker = item.config.stash[blocking_manager_key]
    with blocker.unblock():
        set_guards(False)
    try:
        return (yield)
    finally:
        if nextitem is not None:  # after the last test the test database is already gone
            with blocker.unblock():
                reseed_base_data()
                set_guards(True)


def reseed_base_data() -> None:
    from serval.core.models import Sequence
    from serval.incidents.models import DEFAULT_MATRIX, PriorityRule

    if not Tenant.objects.exists():
        Tenant.objects.create(name="Default", slug="default")
    for (impact, urgency), priority in DEFAULT_MATRIX.items():
        PriorityRule.objects.get_or_create(
            impact=impact, urgency=urgency, defaults={"priority": priority}
        )
    Sequence.objects.get_or_create(name="INC", defaults={"value": 1000})
    from serval.changes import seed as changes_seed
    from serval.changes.models import ChangePolicy, RiskOption, RiskQuestion

    changes_seed.seed(ChangePolicy, RiskQuestion, RiskOption)


@dataclass
class World:
    tenant: Tenant
    other_tenant: Tenant
    org: Organization
    other_org: Organization
    admin: User
    agent: User
    agent2: User
    manager: User
    requester: User
    requester_same_org: User
    requester_other_org: User
    outsider_agent: User
    outsider_requester: User
    team: Team
    team2: Team
    outsider_team: Team


@pytest.fixture
def world(db) -> World:
    tenant = f.root_tenant()
    other = f.make_tenant("Other Co")
    org, other_org = f.make_org(tenant, "Finance"), f.make_org(tenant, "Sales")
    admin = f.make_user("admin", tenant, "admin")
    agent = f.make_user("agent", tenant, "alice")
    agent2 = f.make_user("agent", tenant, "bob")
    manager = f.make_user("manager", tenant, "mona")
    requester = f.make_user("requester", tenant, "rita", organization=org)
    same_org = f.make_user("requester", tenant, "sam", organization=org)
    other_org_user = f.make_user("requester", tenant, "olga", organization=other_org)
    outsider_agent = f.make_user("agent", other, "oscar")
    outsider_requester = f.make_user("requester", other, "otto")
    team = f.make_team(tenant, [agent, manager], "Service Desk", manager=manager)
    team2 = f.make_team(tenant, [agent2], "Network")
    outsider_team = f.make_team(other, [outsider_agent], "Other Desk")
    return World(
        tenant,
        other,
        org,
        other_org,
        admin,
        agent,
        agent2,
        manager,
        requester,
        same_org,
        other_org_user,
        outsider_agent,
        outsider_requester,
        team,
        team2,
        outsider_team,
    )
