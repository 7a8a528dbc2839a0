"""Helpers for the web UI tests: signed-in clients per persona."""

from __future__ import annotations

import pytest
from django.test import Client

from tests import factories as f


@pytest.fixture
def signed_in():
    """Return a function that gives a client signed in as a user (through the real login)."""

    def make(user) -> Client:
        client = Client()
        response = client.post(
            "/accounts/login/", {"username": user.username, "password": f.PASSWORD}
        )
        assert response.status_code == 302, response.content[:500]
        return client

    return make
