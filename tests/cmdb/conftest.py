"""CMDB test helpers: the seeded classes and types (restored after a flush) and small builders."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from serval.cmdb import actions
from serval.cmdb.models import CI, CIClass, CIRelationship, RelationshipType
from serval.cmdb.seed import ensure_seed
from serval.people.models import User

_n = itertools.count(1)


@pytest.fixture(autouse=True)
def _seeded(request):
    """Transactional tests flush the migration's seed; put it back when a database is used."""
    for name in ("transactional_db", "live_server", "db"):
        if name in request.fixturenames:
            request.getfixturevalue(name)
            ensure_seed()
            return


def cls(name: str) -> CIClass:
    return CIClass.objects.get(tenant__isnull=True, name=name)


def rtype(name: str) -> RelationshipType:
    return RelationshipType.objects.get(name=name)


def make_ci(actor: User, name: str | None = None, klass: str = "server", **fields: Any) -> CI:
    return actions.create_ci(
        actor=actor, name=name or f"ci-{next(_n)}", ci_class=cls(klass), **fields
    )


def relate(actor: User, parent: CI, kind: str, child: CI) -> CIRelationship:
    return actions.create_relationship(actor=actor, parent=parent, child=child, type=rtype(kind))


from tests.api.conftest import api_as, assert_problem  # noqa: E402, F401  (API client fixture)
