"""SECURITY-REFERENCE H4 (django-axes style lockout) and ASVS V6: failed logins are counted in
the database per username and per address, so guessing is throttled across processes; the
limit resets with the window and after a successful login."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from serval.people import actions as people
from serval.people.models import LoginFailure

LIMIT = 3


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.LOGIN_THROTTLE_LIMIT = LIMIT
    settings.LOGIN_THROTTLE_WINDOW = 900


def _fail(username, address, times=1):
    for _ in range(times):
        people.record_login_failure(username=username, address=address)


@pytest.mark.django_db
def test_the_limit_per_username_blocks_from_every_address():
    _fail("alice", "10.0.0.1", LIMIT - 1)
    assert not people.login_blocked(username="alice", address="10.0.0.1")
    _fail("ALICE", "10.0.0.2")  # usernames are compared case-insensitively
    assert people.login_blocked(username="alice", address="10.0.0.1")
    assert people.login_blocked(username="Alice", address="192.0.2.7")
    assert not people.login_blocked(username="bob", address="192.0.2.7")


@pytest.mark.django_db
def test_the_limit_per_address_blocks_every_username():
    for n in range(LIMIT * 4):
        _fail(f"user{n}", "203.0.113.9")
    assert people.login_blocked(username="somebody-new", address="203.0.113.9")
    assert not people.login_blocked(username="somebody-new", address="203.0.113.10")


@pytest.mark.django_db
def test_old_failures_fall_out_of_the_window():
    _fail("carol", "10.0.0.1", LIMIT)
    assert people.login_blocked(username="carol", address="10.0.0.1")
    LoginFailure.objects.update(at=timezone.now() - timedelta(seconds=901))
    assert not people.login_blocked(username="carol", address="10.0.0.1")


@pytest.mark.django_db
def test_clearing_after_a_good_login_resets_the_username():
    _fail("dave", "10.0.0.1", LIMIT)
    people.clear_login_failures(username="Dave")
    assert not people.login_blocked(username="dave", address="10.0.0.1")


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["x" * 5000, "nul\x00byte", "", "' OR 1=1 --"])
def test_odd_usernames_and_addresses_are_counted_without_error(username):
    _fail(username, "a\x00" * 100, LIMIT)
    assert people.login_blocked(username=username, address="a\x00" * 100)
