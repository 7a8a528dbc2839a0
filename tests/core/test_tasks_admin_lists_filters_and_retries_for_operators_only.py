"""Issue 3 "failed tasks … are visible to admins (a page listing failed and pending work, with
retry)". The page is for the instance's operators (admins of the root tenant); anyone else gets
a 404 (SECURITY-REFERENCE A: out-of-reach pages do not exist). Retry is a POST with CSRF that
re-enqueues the same task with the same arguments, once."""

from __future__ import annotations

from django.tasks import task
from django.test import Client
from django_tasks_db.models import DBTaskResult

from serval.background.models import TaskRetry
from tests import factories as f
from tests.notifications.conftest import run_queue

URL = "/system/tasks/"


@task()
def flaky(n: int) -> int:
    """Fails for odd numbers: a stand-in for an SMTP server that was down."""
    if n % 2:
        raise RuntimeError(f"SMTP server said no to {n}")
    return n


def _some_work():
    for n in range(4):
        flaky.enqueue(n)
    run_queue()
    flaky.using(run_after=None).enqueue(10)  # still pending


def test_others_get_404(world, client):
    _some_work()
    assert client.get(URL).status_code in (302, 404)  # anonymous: to the login, or 404
    for user in (world.agent, world.manager, world.requester):
        client.force_login(user)
        assert client.get(URL).status_code == 404
    sub_admin = f.make_user("admin", f.make_tenant("Child", parent=world.tenant))
    client.force_login(sub_admin)
    assert client.get(URL).status_code == 404
    failed = DBTaskResult.objects.filter(status="FAILED").first()
    assert client.post(f"{URL}{failed.pk}/retry/").status_code == 404


def test_lists_filters_and_shows_the_error(world, client):
    _some_work()
    client.force_login(world.admin)
    page = client.get(URL).content.decode()
    assert "test_tasks_admin_lists_filters_and_retries_for_operators_only.flaky" in page
    failed = client.get(URL, {"status": "FAILED"}).content.decode()
    assert failed.count("RuntimeError: SMTP server said no to") == 4  # summary + traceback
    assert "RuntimeError: SMTP server said no to 1" in failed
    assert "Retry" in failed
    pending = client.get(URL, {"status": "READY"}).content.decode()
    assert "(10)" in pending and "SMTP server said no" not in pending
    assert "No tasks match." in client.get(URL, {"task": "no-such-task"}).content.decode()


def test_pages_of_fifty(world, client):
    for n in range(0, 120, 2):
        flaky.enqueue(n)
    client.force_login(world.admin)
    first = client.get(URL).content.decode()
    assert "Page 1 of 2" in first
    assert "Page 2 of 2" in client.get(URL, {"page": 2}).content.decode()


def test_retry_re_enqueues_the_same_arguments_once(world):
    _some_work()
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.admin)
    failed = DBTaskResult.objects.filter(status="FAILED", args_kwargs__args=[1]).get()
    assert client.post(f"{URL}{failed.pk}/retry/").status_code == 403  # no CSRF token
    page = client.get(URL, {"status": "FAILED"})
    token = page.cookies["csrftoken"].value
    response = client.post(f"{URL}{failed.pk}/retry/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    again = DBTaskResult.objects.filter(status="READY", args_kwargs__args=[1])
    assert again.count() == 1
    assert TaskRetry.objects.get(original=failed.pk).latest == again.get().pk
    # A second press (or a second admin) does not enqueue it twice.
    client.post(f"{URL}{failed.pk}/retry/", {"csrfmiddlewaretoken": token})
    assert DBTaskResult.objects.filter(status="READY", args_kwargs__args=[1]).count() == 1
    # Successful tasks cannot be "retried".
    done = DBTaskResult.objects.filter(status="SUCCESSFUL").first()
    client.post(f"{URL}{done.pk}/retry/", {"csrfmiddlewaretoken": token})
    assert DBTaskResult.objects.filter(args_kwargs__args=done.args_kwargs["args"]).count() == 1
