"""Shared fixtures: personas in two tenants (owner / member / outsider, as in Healthchecks)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import connection

from serval.core.journal import set_guards
from serval.core.models import Tenant
from serval.people.models import Organization, Team, User
from tests import factories as f


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ATTACHMENT_DIR = tmp_path / "attachments"
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture(autouse=True)
def _journal_guards_vs_flush(request):
    """SQLite's flush after a transactional test DELETEs rows, which the append-only triggers
    refuse; drop them before that flush. (PostgreSQL flushes with TRUNCATE, which they allow.)
    Tests of the guards call `set_guards(True)` themselves."""
    yield
    names = request.fixturenames
    if connection.vendor == "sqlite" and ("transactional_db" in names or "live_server" in names):
        set_guards(False)


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
