"""`serval demo` (issue 2 set-up): realistic data through the actions, a random admin login."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command

from serval.core import journal
from serval.core.models import Tenant
from serval.incidents import states as S
from serval.incidents.models import IncidentDetail
from serval.people.models import Team, User
from serval.work.models import WorkItem


def _demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, "--no-progress", stdout=out)
    return out.getvalue()


def test_demo_fills_an_empty_database_and_prints_a_working_login(db):
    out = _demo()
    username = re.search(r"username: (\S+)", out).group(1)
    password = re.search(r"password: (\S+)", out).group(1)
    admin = User.objects.get(username=username)
    assert admin.is_admin and admin.check_password(password) and len(password) >= 20

    acme = Tenant.objects.get(slug="acme-retail")
    assert acme.parent_id == Tenant.objects.get(parent__isnull=True).pk
    assert Team.objects.filter(shared=True).exists()
    assert User.objects.count() >= 8
    incidents = WorkItem.objects.filter(kind="incident")
    states = set(incidents.values_list("state", flat=True))
    assert states == {S.NEW, S.IN_PROGRESS, S.ON_HOLD, S.RESOLVED, S.CLOSED, S.CANCELLED}
    assert set(incidents.values_list("priority", flat=True)) == {1, 2, 3, 4, 5}
    assert WorkItem.objects.filter(tenant=acme).exists()
    assert WorkItem.objects.filter(parent__isnull=False).exists()
    assert IncidentDetail.objects.filter(major_state="proposed").exists()
    assert WorkItem.objects.count() >= 35
    assert list(journal.verify()) == []


def test_two_installs_get_different_passwords(db):
    first = re.search(r"password: (\S+)", _demo()).group(1)
    assert first not in ("admin", "password", "changeme")


def test_if_empty_does_nothing_on_a_database_with_data(db):
    _demo()
    before = (User.objects.count(), WorkItem.objects.count())
    out = _demo("--if-empty")
    assert "createadmin" in out and "password:" not in out
    assert (User.objects.count(), WorkItem.objects.count()) == before
    with pytest.raises(CommandError, match="already has data"):
        _demo()
