"""`serval createadmin`: never a fixed default password (SECURITY-REFERENCE H; issue 2 set-up)."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command

from serval.people.models import Role, User
from tests import factories as f


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("createadmin", *args, stdout=out)
    return out.getvalue()


def test_without_a_password_a_random_one_is_generated_and_printed_once(db):
    out = _run("--username", "boss", "--email", "boss@example.test")
    password = re.search(r"Password: (\S+)", out).group(1)
    assert len(password) >= 20
    user = User.objects.get(username="boss")
    assert user.role == Role.ADMIN and user.is_admin
    assert user.check_password(password)
    assert user.tenant == f.root_tenant()


def test_a_given_password_is_used_and_not_echoed(db):
    out = _run("--username", "boss2", "--password", "Quite-Long-Secret-7")
    assert "Quite-Long-Secret-7" not in out
    assert User.objects.get(username="boss2").check_password("Quite-Long-Secret-7")


def test_a_weak_password_or_a_taken_name_is_refused(db):
    with pytest.raises(CommandError, match="password"):
        call_command("createadmin", username="weak", password="1234")
    _run("--username", "taken")
    with pytest.raises(CommandError, match="taken"):
        call_command("createadmin", username="taken")


def test_the_tenant_is_chosen_by_slug(db):
    sub = f.make_tenant("Acme", parent=f.root_tenant())
    _run("--username", "acme-admin", "--tenant", sub.slug)
    assert User.objects.get(username="acme-admin").tenant == sub
    with pytest.raises(CommandError, match="Unknown tenant"):
        call_command("createadmin", username="nobody", tenant="no-such-tenant")
