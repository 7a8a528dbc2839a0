"""Authentication: bearer tokens must be real, current and unrevoked; sessions need CSRF.

SECURITY-REFERENCE H (authentication), A7 (tokens revocable, expiring), E1 (CSRF).
"""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from serval.people import actions as people
from serval.people.models import ApiToken
from tests import factories as f
from tests.api.conftest import Api, assert_problem


def _whoami(token: str | None):
    return Api(token).get("users/me")


def test_no_token_is_401_with_a_challenge(world):
    response = _whoami(None)
    assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_forged_tokens_are_401(world):
    real = f.token_for(world.agent)
    prefix = real.split("_")[1]
    for forged in (
        "srv_0000000000_" + "a" * 43,
        f"srv_{prefix}_" + "b" * 43,
        real + "x",
        real[:-1],
        "Basic abc",
        "srv_",
        "srv_\u00e9",
    ):
        assert_problem(_whoami(forged), 401)
    assert _whoami(real).status_code == 200


def test_expired_token_is_401(world):
    token, secret = people.create_token(actor=world.agent, user=world.agent, name="t", days=1)
    assert _whoami(secret).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert_problem(_whoami(secret), 401)


def test_revoked_token_is_401(world):
    secret = f.token_for(world.agent)
    api = Api(secret)
    own = api.get("tokens").json()
    assert api.delete(f"tokens/{own[0]['id']}").status_code == 204
    assert_problem(_whoami(secret), 401)


def test_inactive_users_token_is_401(world):
    secret = f.token_for(world.agent)
    type(world.agent).objects.filter(pk=world.agent.pk).update(is_active=False)
    assert_problem(_whoami(secret), 401)


def test_a_bad_token_never_falls_back_to_the_session(world):
    client = Client()
    client.force_login(world.agent)
    assert client.get("/api/v1/users/me").status_code == 200
    response = client.get("/api/v1/users/me", headers={"Authorization": "Bearer srv_bad_x"})
    assert_problem(response, 401)


def test_session_writes_need_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.agent)
    body = {"title": "From the browser"}
    refused = client.post("/api/v1/incidents", body, content_type="application/json")
    assert assert_problem(refused, 403)["type"].endswith("csrf-failed")
    secret = "k" * 32
    client.cookies["csrftoken"] = secret
    accepted = client.post(
        "/api/v1/incidents", body, content_type="application/json", headers={"X-CSRFToken": secret}
    )
    assert accepted.status_code == 201, accepted.content


def test_anonymous_writes_are_401_not_a_csrf_403(world):
    client = Client(enforce_csrf_checks=True)
    assert_problem(client.post("/api/v1/incidents", {}, content_type="application/json"), 401)
