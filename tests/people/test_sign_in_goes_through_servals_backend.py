"""serval.people.backends.Backend: Django's model backend with a prebuilt read of the signed-in
user. People sign in through it alone (a wrong password is hashed once, not once per listed
backend); sessions made under Django's own backend before the switch stay signed in; an
inactive or deleted person is signed out as Django's backend signs them out."""

from __future__ import annotations

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, authenticate
from django.contrib.auth.backends import ModelBackend
from django.test import Client

from serval.people.backends import Backend
from serval.people.models import User
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

OURS = "serval.people.backends.Backend"
DJANGOS = "django.contrib.auth.backends.ModelBackend"


def _user_of(client: Client):
    return client.get("/").wsgi_request.user


def test_signing_in_stores_servals_backend_and_the_user_reads_back():
    user = make_user(role="agent")
    client = Client()
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == OURS
    seen, stored = _user_of(client), User.objects.get(pk=user.pk)  # as the ORM reads it
    assert seen == user
    assert [getattr(seen, f.attname) for f in User._meta.concrete_fields] == [
        getattr(stored, f.attname) for f in User._meta.concrete_fields
    ]


def test_a_session_from_before_the_switch_stays_signed_in():
    user = make_user(role="requester")
    client = Client()
    client.force_login(user, backend=DJANGOS)
    assert client.session[BACKEND_SESSION_KEY] == DJANGOS
    assert _user_of(client) == user


def test_a_wrong_password_is_checked_once(monkeypatch):
    user = make_user(role="agent")
    checks = []
    original = User.check_password

    def counting(self, raw):
        checks.append(raw)
        return original(self, raw)

    monkeypatch.setattr(User, "check_password", counting)
    assert authenticate(None, username=user.username, password="wrong") is None
    assert checks == ["wrong"]
    assert authenticate(None, username=user.username, password=PASSWORD) == user


@pytest.mark.parametrize("backend", [OURS, DJANGOS])
def test_an_inactive_or_deleted_person_is_signed_out(backend):
    user = make_user(role="agent")
    client = Client()
    client.force_login(user, backend=backend)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert not _user_of(client).is_authenticated
    other = make_user(role="agent")
    client.force_login(other, backend=backend)
    User.objects.filter(pk=other.pk).delete()
    assert not _user_of(client).is_authenticated


@pytest.mark.parametrize("key", [None, "", "abc", "12345678901234567890123"])
def test_a_malformed_key_is_nobody(key):
    assert Backend().get_user(key) is None
    assert issubclass(Backend, ModelBackend)
