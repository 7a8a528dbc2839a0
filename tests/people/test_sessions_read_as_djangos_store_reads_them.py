"""The session store (serval.people.sessions) reads Django's own rows, so switching to it signs
nobody out, and it refuses exactly what Django's store refuses: unknown, expired or malformed
keys give a new, empty session."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from serval.people.sessions import SessionStore
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _djangos(data: dict) -> str:
    store = db.SessionStore()
    store.update(data)
    store.save()
    return store.session_key


def test_a_session_django_wrote_reads_the_same():
    key = _djangos({"_auth_user_id": "7", "theme": "dark", "n": [1, 2]})
    ours = SessionStore(key)
    assert (
        ours.load()
        == db.SessionStore(key).load()
        == {
            "_auth_user_id": "7",
            "theme": "dark",
            "n": [1, 2],
        }
    )
    assert ours.session_key == key


@pytest.mark.parametrize("key", ["nosuchkeynosuchkeynosuchkey12345", "short", "x" * 300, "é" * 40])
def test_unknown_or_malformed_keys_read_as_a_new_empty_session(key):
    ours = SessionStore(key)
    assert ours.load() == {}
    assert ours.session_key is None


def test_an_expired_session_reads_as_a_new_empty_session():
    key = _djangos({"_auth_user_id": "7"})
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    ours = SessionStore(key)
    assert ours.load() == {}
    assert ours.session_key is None


def test_a_signed_in_person_stays_signed_in_across_requests(client):
    assert settings.SESSION_ENGINE == "serval.people.sessions"
    user = make_user(role="agent")
    client.force_login(user)
    response = client.get("/")
    assert response.wsgi_request.user == user
    # A cookie whose row is gone is a signed-out visitor.
    Session.objects.all().delete()
    response = client.get("/")
    assert not response.wsgi_request.user.is_authenticated
