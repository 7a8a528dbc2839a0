"""SECURITY-REFERENCE H4, E2, E3: login throttling, one message for every failure, session
rotation, and `next=` that never leaves the site."""

import pytest
from django.test import Client

from serval.people.models import LoginFailure
from tests import factories as f

LOGIN = "/accounts/login/"


def _post(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def test_unknown_user_and_wrong_password_get_the_same_message(world):
    client = Client()
    unknown = _post(client, "nobody-here", "whatever-123")
    wrong = _post(client, world.agent.username, "not-the-password")
    assert unknown.status_code == wrong.status_code == 200
    message = "That username and password do not match an active account."
    assert message in unknown.content.decode()
    assert message in wrong.content.decode()


def test_too_many_failures_block_even_the_right_password(world, settings):
    settings.LOGIN_THROTTLE_LIMIT = 3
    client = Client()
    for _ in range(3):
        _post(client, world.agent.username, "bad-password-1")
    response = _post(client, world.agent.username, f.PASSWORD)
    assert response.status_code == 200
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_successful_login_clears_failures_and_rotates_the_session(world):
    client = Client()
    _post(client, world.agent.username, "bad-password-1")
    client.get(LOGIN)
    before = client.session.session_key
    response = _post(client, world.agent.username, f.PASSWORD)
    assert response.status_code == 302
    assert client.session.session_key != before
    assert not LoginFailure.objects.filter(username=world.agent.username).exists()


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "http:/evil.example", "javascript:alert(1)"],
)
def test_next_to_another_site_is_ignored(world, target):
    response = _post(Client(), world.agent.username, f.PASSWORD, next=target)
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_next_within_the_site_is_followed(world):
    response = _post(Client(), world.agent.username, f.PASSWORD, next="/incidents/?state=all")
    assert response["Location"] == "/incidents/?state=all"


def test_pages_send_anonymous_visitors_to_login_with_next(db):
    response = Client().get("/incidents/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/incidents/")
