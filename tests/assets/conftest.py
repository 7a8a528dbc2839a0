"""Asset test helpers: catalogue builders over the real actions, plus the CMDB's seeded classes."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from serval.assets import software
from serval.assets.models import Installation, SoftwareProduct, SoftwareVersion
from serval.cmdb.models import CI
from serval.people.models import User
from tests.api.conftest import api_as  # noqa: F401
from tests.cmdb.conftest import _seeded, assert_problem, make_ci, relate  # noqa: F401

_n = itertools.count(1)


def days(n: int) -> date:
    """A date n days from today (negative: in the past), so horizons never drift with the clock."""
    return timezone.localdate() + timedelta(days=n)


def make_product(
    admin: User, name: str | None = None, vendor: str = "Acme", **fields: Any
) -> SoftwareProduct:
    return software.create_product(
        actor=admin, vendor=vendor, name=name or f"P{next(_n)}", **fields
    )


def make_version(
    admin: User, product: SoftwareProduct, version: str, **dates: Any
) -> SoftwareVersion:
    return software.create_version(actor=admin, product=product, version=version, **dates)


def install(agent: User, ci: CI, version: SoftwareVersion) -> Installation:
    return software.create_installation(actor=agent, ci=ci, software_version=version)
