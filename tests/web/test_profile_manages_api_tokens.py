"""SECURITY-REFERENCE A7/H2: tokens are shown once, listed by prefix only, and revocable."""

from serval.people.actions import authenticate_token
from serval.people.models import ApiToken


def test_create_shows_the_secret_once(world, signed_in):
    client = signed_in(world.agent)
    response = client.post("/accounts/tokens/", {"name": "CI", "days": "30"})
    html = response.content.decode()
    token = ApiToken.objects.get(user=world.agent)
    secret = html.split('id="new-token" class="form-control font-monospace" readonly value="')[1]
    secret = secret.split('"')[0]
    assert secret.startswith("srv_") and authenticate_token(secret) == world.agent
    assert secret not in client.get("/accounts/profile/").content.decode()
    assert f"srv_{token.prefix}_" in client.get("/accounts/profile/").content.decode()


def test_revoke_own_token_and_not_anyone_elses(world, signed_in):
    signed_in(world.agent2).post("/accounts/tokens/", {"name": "Bob's", "days": "0"})
    bobs = ApiToken.objects.get(user=world.agent2)
    client = signed_in(world.agent)
    assert client.post(f"/accounts/tokens/{bobs.pk}/revoke").status_code == 404
    assert ApiToken.objects.get(pk=bobs.pk).revoked_at is None
    client.post("/accounts/tokens/", {"name": "Mine", "days": "7"})
    mine = ApiToken.objects.get(user=world.agent)
    assert client.post(f"/accounts/tokens/{mine.pk}/revoke").status_code == 302
    assert ApiToken.objects.get(pk=mine.pk).revoked_at is not None


def test_a_bad_expiry_is_a_form_error(world, signed_in):
    response = signed_in(world.agent).post("/accounts/tokens/", {"name": "x", "days": "99999"})
    assert response.status_code == 200
    assert not ApiToken.objects.exists()
