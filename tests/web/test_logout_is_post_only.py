"""SECURITY-REFERENCE E1: no state change on GET, so a link or an image cannot sign anyone out."""


def test_get_does_not_log_out(world, signed_in):
    client = signed_in(world.agent)
    response = client.get("/accounts/logout/")
    assert response.status_code == 405
    assert client.get("/").status_code == 200


def test_post_logs_out(world, signed_in):
    client = signed_in(world.agent)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_logout_needs_the_csrf_token(world):
    from django.test import Client

    from tests import factories as f

    client = Client(enforce_csrf_checks=True)
    client.post("/accounts/login/", {"username": world.agent.username, "password": f.PASSWORD})
    assert client.post("/accounts/logout/").status_code == 403
