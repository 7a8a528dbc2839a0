"""No API response carries a password hash, a token digest or another user's token (H2, A7)."""

from __future__ import annotations

from serval.people.models import ApiToken
from tests import factories as f
from tests.api.conftest import Api

FORBIDDEN_KEYS = {"password", "digest", "is_superuser", "last_login"}


def _walk_keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _walk_keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _walk_keys(v)}
    return set()


def test_people_endpoints_never_leak_secrets(world):
    admin_token = f.token_for(world.admin)
    api = Api(admin_token)
    f.token_for(world.agent)
    team = api.get(f"teams/{world.team.pk}").content
    paths = [
        "users",
        "users/me",
        f"users/{world.agent.pk}",
        "teams",
        f"teams/{world.team.pk}",
        "organizations",
        "tokens",
    ]
    digests = list(ApiToken.objects.values_list("digest", flat=True))
    hashes = [u.password for u in type(world.admin).objects.all()]
    for path in paths:
        response = api.get(path)
        assert response.status_code == 200, path
        text = response.content.decode()
        assert not FORBIDDEN_KEYS & _walk_keys(response.json()), path
        for secret in [*digests, *hashes, admin_token]:
            assert secret not in text, path
    assert team


def test_the_token_secret_is_shown_once(world):
    api = Api(f.token_for(world.agent))
    created = api.post("tokens", {"name": "ci", "days": 30})
    assert created.status_code == 201
    secret = created.json()["token"]
    assert secret.startswith("srv_")
    listing = api.get("tokens")
    assert secret not in listing.content.decode()
    assert {t["name"] for t in listing.json()} == {"test", "ci"}
    assert Api(secret).get("users/me").json()["username"] == "alice"


def test_tokens_of_others_are_invisible(world):
    other = Api(f.token_for(world.agent2))
    mine = Api(f.token_for(world.agent)).get("tokens").json()[0]
    assert other.delete(f"tokens/{mine['id']}").status_code == 404
    assert mine["id"] not in {t["id"] for t in other.get("tokens").json()}
