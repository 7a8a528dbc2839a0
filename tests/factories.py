"""Test data built through the real actions, so tests exercise the same paths as users do."""

from __future__ import annotations

import itertools
from typing import Any

from serval.core.models import Tenant
from serval.incidents import actions as incidents
from serval.people import actions as people
from serval.people.models import Organization, Team, User
from serval.work.models import WorkItem

PASSWORD = "Correct-Horse-42!"
_seq = itertools.count(1)


def root_tenant() -> Tenant:
    """The tenant core migration 0003 creates; remade if a transactional test flushed it."""
    tenant = Tenant.objects.filter(parent=None).order_by("pk").first()
    return tenant or Tenant.objects.create(name="Default", slug="default")


def make_tenant(name: str | None = None, parent: Tenant | None = None) -> Tenant:
    n = next(_seq)
    name = name or f"Tenant {n}"
    return Tenant.objects.create(
        name=name, slug=f"t-{n}-{name.lower().replace(' ', '-')}"[:60], parent=parent
    )


def make_org(
    tenant: Tenant | None = None, name: str | None = None, shared: bool = False
) -> Organization:
    return people.create_organization(
        actor=None, tenant=tenant or root_tenant(), name=name or f"Org {next(_seq)}", shared=shared
    )


def make_user(
    role: str = "agent",
    tenant: Tenant | None = None,
    username: str | None = None,
    organization: Organization | None = None,
    password: str = PASSWORD,
    **extra: Any,
) -> User:
    return people.create_user(
        actor=None,
        username=username or f"{role}{next(_seq)}",
        tenant=tenant or root_tenant(),
        role=role,
        password=password,
        organization=organization,
        email=f"u{next(_seq)}@example.test",
        **extra,
    )


def make_team(
    tenant: Tenant | None = None,
    members: list[User] | None = None,
    name: str | None = None,
    manager: User | None = None,
    shared: bool = False,
) -> Team:
    return people.create_team(
        actor=None,
        tenant=tenant or root_tenant(),
        name=name or f"Team {next(_seq)}",
        members=members or [],
        manager=manager,
        shared=shared,
    )


def make_incident(actor: User, **fields: Any) -> WorkItem:
    fields.setdefault("title", f"Something broke {next(_seq)}")
    return incidents.create_incident(actor=actor, **fields)


def token_for(user: User) -> str:
    return people.create_token(actor=None, user=user, name="test")[1]
