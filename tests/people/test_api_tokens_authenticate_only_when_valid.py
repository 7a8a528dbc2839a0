"""SECURITY-REFERENCE A7 and H2 (RT CVE-2026-44231, Zammad CVE-2020-10104): API tokens are
stored only as a digest, expire, can be revoked, and a forged or garbled bearer value never
authenticates anyone — and never errors."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from serval.core.errors import NotFound, PermissionDenied, ValidationFailed
from serval.people import actions as people
from serval.people.models import ApiToken


def test_a_fresh_token_authenticates_its_user(world):
    token, plain = people.create_token(actor=world.agent, user=world.agent, name="CI", days=30)
    assert plain.startswith("srv_") and token.prefix in plain
    assert people.authenticate_token(plain) == world.agent
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert token.expires_at > timezone.now() + timedelta(days=29)


def test_only_a_digest_is_stored(world):
    token, plain = people.create_token(actor=None, user=world.agent)
    secret = plain.split("_", 2)[2]
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert row["digest"] == hashlib.sha256(plain.encode()).hexdigest()
    assert not any(isinstance(v, str) and secret in v for v in row.values())


def test_a_revoked_token_is_refused(world):
    token, plain = people.create_token(actor=world.agent, user=world.agent)
    people.revoke_token(actor=world.agent, token=token)
    assert people.authenticate_token(plain) is None
    people.revoke_token(actor=world.agent, token=token)  # twice is harmless


def test_an_expired_token_is_refused(world):
    token, plain = people.create_token(actor=world.agent, user=world.agent, days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert people.authenticate_token(plain) is None


def test_zero_days_never_expires_and_out_of_range_days_are_refused(world):
    token, plain = people.create_token(actor=world.agent, user=world.agent, days=0)
    assert token.expires_at is None and people.authenticate_token(plain) == world.agent
    for days in (-1, 3651):
        with pytest.raises(ValidationFailed):
            people.create_token(actor=world.agent, user=world.agent, days=days)


def test_a_deactivated_users_token_is_refused(world):
    _token, plain = people.create_token(actor=None, user=world.agent)
    world.agent.is_active = False
    world.agent.save()
    assert people.authenticate_token(plain) is None


def test_a_forged_secret_with_the_right_prefix_is_refused(world):
    token, plain = people.create_token(actor=None, user=world.admin)
    prefix = f"srv_{token.prefix}_"
    secret = plain[len(prefix) :]
    flipped = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    for forged in (prefix + flipped, prefix, prefix + secret[:-1], plain + "x", plain.upper()):
        assert people.authenticate_token(forged) is None
    assert people.authenticate_token(token.digest) is None  # the stored digest is no password


GARBAGE = [
    "",
    "srv_",
    "srv__",
    "srv_0000000000_",
    "Bearer srv_x",
    "srv_../../etc",
    "srv_' OR '1'='1_x",
    "srv_\x00_x",
    "srv_abc\x00def_x",
    "x" * 10_000,
    "srv_" + "a" * 300,
]


@pytest.mark.parametrize("raw", GARBAGE)
def test_garbage_is_refused(world, raw):
    people.create_token(actor=None, user=world.agent)
    assert people.authenticate_token(raw) is None


@settings(
    max_examples=80,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(raw=st.one_of(st.text(max_size=120), st.text(max_size=60).map(lambda s: "srv_" + s)))
def test_no_random_text_authenticates(world, raw):
    assert people.authenticate_token(raw) is None


def test_people_manage_only_their_own_tokens(world):
    with pytest.raises(PermissionDenied):
        people.create_token(actor=world.agent, user=world.agent2)
    token, plain = people.create_token(actor=world.agent2, user=world.agent2)
    with pytest.raises(NotFound):
        people.revoke_token(actor=world.agent, token=token)
    assert people.authenticate_token(plain) == world.agent2
    people.create_token(actor=world.admin, user=world.agent2)  # admins may issue for others


def test_the_user_from_a_token_is_the_one_the_orm_loads(world, django_assert_num_queries):
    """The lookup is hand-written SQL (serval.core.rawrows); its instances must not differ."""
    world.agent.last_login = timezone.now() - timedelta(days=3, microseconds=7)
    world.agent.save()
    _token, plain = people.create_token(actor=None, user=world.agent)
    people.authenticate_token(plain)  # the first use writes last_used_at
    with django_assert_num_queries(1):
        user = people.authenticate_token(plain)
        tenant = user.tenant  # joined, not fetched again
    expected = type(world.agent).objects.select_related("tenant").get(pk=world.agent.pk)
    for field in type(expected)._meta.concrete_fields:
        assert getattr(user, field.attname) == getattr(expected, field.attname), field.name
    for field in type(tenant)._meta.concrete_fields:
        assert getattr(tenant, field.attname) == getattr(expected.tenant, field.attname)
    assert user.last_login.tzinfo is not None and user._state.adding is False


def test_last_used_is_written_once_per_resolution_not_per_request(world):
    token, plain = people.create_token(actor=None, user=world.agent)
    people.authenticate_token(plain)
    token.refresh_from_db()
    first = token.last_used_at
    people.authenticate_token(plain)
    token.refresh_from_db()
    assert token.last_used_at == first
    old = timezone.now() - people.TOKEN_USE_RESOLUTION - timedelta(seconds=1)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=old)
    people.authenticate_token(plain)
    token.refresh_from_db()
    assert token.last_used_at > old + timedelta(seconds=1)
