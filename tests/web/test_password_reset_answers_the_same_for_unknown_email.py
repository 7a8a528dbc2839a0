"""SECURITY-REFERENCE H4: the reset form never tells whether an address has an account."""

from django.core import mail
from django.test import Client

URL = "/accounts/password/reset/"


def test_known_and_unknown_addresses_get_the_same_answer(world):
    known = Client().post(URL, {"email": world.agent.email})
    unknown = Client().post(URL, {"email": "nobody@example.test"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [world.agent.email]


def test_repeated_requests_stop_sending_mail_but_answer_the_same(world, settings):
    settings.LOGIN_THROTTLE_LIMIT = 2
    answers = [Client().post(URL, {"email": world.agent.email}) for _ in range(4)]
    assert {a.status_code for a in answers} == {302}
    assert len(mail.outbox) == 2


def test_the_reset_link_sets_a_new_password(world):
    from serval.people.models import User

    Client().post(URL, {"email": world.agent.email})
    body = mail.outbox[0].body
    link = next(line for line in body.splitlines() if "/accounts/password/reset/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]
    client = Client()
    response = client.get("/" + path, follow=True)
    assert response.status_code == 200
    new = "Fresh-Horse-55!"
    response = client.post(
        response.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert User.objects.get(pk=world.agent.pk).check_password(new)
