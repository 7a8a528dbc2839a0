"""`serval token`: create prints only the token; revoke and list work by prefix (issue 2, H)."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from serval.people.actions import authenticate_token
from serval.people.models import ApiToken


def test_create_prints_exactly_one_line_the_token_and_it_authenticates(world):
    stdout = io.StringIO()
    call_command(
        "token", "create", world.agent.username, "--name", "ci", "--days", "5", stdout=stdout
    )
    out = stdout.getvalue()
    assert out.endswith("\n") and out.count("\n") == 1
    token = out.strip()
    assert authenticate_token(token) == world.agent
    stored = ApiToken.objects.get(user=world.agent)
    assert stored.name == "ci" and token not in stored.digest


def test_revoke_by_prefix_stops_the_token_and_list_shows_it(world):
    out = io.StringIO()
    call_command("token", "create", world.agent.username, stdout=out)
    token = out.getvalue().strip()
    prefix = ApiToken.objects.get(user=world.agent).prefix
    call_command("token", "revoke", prefix, stdout=io.StringIO())
    assert authenticate_token(token) is None
    listing = io.StringIO()
    call_command("token", "list", world.agent.username, stdout=listing)
    assert prefix in listing.getvalue() and "revoked" in listing.getvalue()
    assert token not in listing.getvalue()


def test_unknown_user_and_prefix_are_errors(world):
    with pytest.raises(CommandError, match="Unknown user"):
        call_command("token", "create", "nobody-here")
    with pytest.raises(CommandError, match="No token"):
        call_command("token", "revoke", "deadbeef00")
