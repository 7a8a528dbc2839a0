"""SECURITY-REFERENCE E3: changing a password needs the current one; the session survives."""

from serval.people.models import User
from tests import factories as f

URL = "/accounts/password/"
NEW = "Another-Horse-77?"


def test_wrong_current_password_changes_nothing(world, signed_in):
    client = signed_in(world.agent)
    response = client.post(
        URL, {"old_password": "wrong", "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 200
    assert "That is not your current password." in response.content.decode()
    assert User.objects.get(pk=world.agent.pk).check_password(f.PASSWORD)


def test_right_current_password_changes_it_and_keeps_the_session(world, signed_in):
    client = signed_in(world.agent)
    response = client.post(
        URL, {"old_password": f.PASSWORD, "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 302
    assert User.objects.get(pk=world.agent.pk).check_password(NEW)
    assert client.get("/").status_code == 200


def test_mismatched_new_passwords_are_refused(world, signed_in):
    client = signed_in(world.agent)
    response = client.post(
        URL, {"old_password": f.PASSWORD, "new_password1": NEW, "new_password2": NEW + "x"}
    )
    assert "The two new passwords differ." in response.content.decode()
    assert User.objects.get(pk=world.agent.pk).check_password(f.PASSWORD)
