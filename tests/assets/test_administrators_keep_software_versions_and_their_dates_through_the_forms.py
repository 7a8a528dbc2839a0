"""An administrator adds, edits and deletes a product's versions with their lifecycle dates on
`/assets/software/`, and the end-of-life report follows at once (DOMAIN.md §2.8, §3.5). The
forms call `create_version` / `update_version` / `delete_version`: dates out of order (end of
support before general availability …) and a version string the product already has are field
errors with nothing written; a stale edit is refused; anyone but an administrator gets a 404.
"""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.test import Client

from serval.assets import eol
from serval.assets.models import SoftwareVersion
from serval.core.models import JournalEvent
from tests.assets.conftest import days, install, make_ci, make_product, make_version


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _fields(version: str, **dates) -> dict[str, str]:
    data = {
        "version": version,
        "ga_date": "",
        "end_of_support": "",
        "end_of_extended_support": "",
        "end_of_life": "",
        "dates_source": "publisher",
    }
    data.update({k: v.isoformat() if v else "" for k, v in dates.items()})
    return data


def test_create_edit_and_delete_a_version(world):
    product = make_product(world.admin, "PostgreSQL", vendor="PGDG")
    client = _client(world.admin)
    url = f"/assets/software/{product.pk}/versions/new"
    created = client.post(
        url, _fields("16", ga_date=days(-300), end_of_support=days(1500)), follow=True
    )
    assert _said(created) == ["The version 16 of PGDG PostgreSQL was created."]
    version = SoftwareVersion.objects.get()
    assert (version.tenant_id, version.dates_source, version.end_of_support) == (
        world.tenant.pk,
        "publisher",
        days(1500),
    )
    html = created.content.decode()
    assert f'href="/assets/software/versions/{version.pk}/edit"' in html
    assert (
        days(1500).isoformat()
        in client.get(f"/assets/software/versions/{version.pk}/edit").content.decode()
    )

    edit = _fields("16.1", ga_date=days(-300), end_of_support=days(30), end_of_life=days(60)) | {
        "row_version": "1"
    }
    saved = client.post(f"/assets/software/versions/{version.pk}/edit", edit, follow=True)
    assert _said(saved) == ["The version 16.1 of PGDG PostgreSQL was saved."]
    version.refresh_from_db()
    assert (version.version, version.end_of_life, version.row_version) == ("16.1", days(60), 2)

    deleted = client.post(f"/assets/software/versions/{version.pk}/delete", follow=True)
    assert _said(deleted) == ["The version 16.1 of PGDG PostgreSQL was deleted."]
    assert not SoftwareVersion.objects.exists()
    verbs = JournalEvent.objects.filter(subject_type="software_version").values_list(
        "verb", flat=True
    )
    assert sorted(verbs) == ["created", "deleted", "updated"]


def test_end_of_support_before_general_availability_is_refused_with_nothing_written(world):
    product = make_product(world.admin, "Tool")
    client = _client(world.admin)
    response = client.post(
        f"/assets/software/{product.pk}/versions/new",
        _fields("2", ga_date=days(10), end_of_support=days(5), end_of_life=days(1)),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["end_of_support"] == ["Must not be before ga date."]
    assert errors["end_of_life"] == ["Must not be before end of support."]
    assert "Please check the highlighted fields." in response.content.decode()
    assert not SoftwareVersion.objects.exists()
    assert not JournalEvent.objects.filter(subject_type="software_version").exists()

    # On an edit, a date is checked against the record's others too.
    version = make_version(world.admin, product, "1", ga_date=days(-10), end_of_support=days(10))
    response = client.post(
        f"/assets/software/versions/{version.pk}/edit",
        _fields("1", ga_date=days(20), end_of_support=days(10)) | {"row_version": "1"},
    )
    assert response.context["form"].errors == {"end_of_support": ["Must not be before ga date."]}
    version.refresh_from_db()
    assert (version.ga_date, version.row_version) == (days(-10), 1)


def test_a_version_the_product_already_has_is_refused(world):
    product = make_product(world.admin, "Tool")
    make_version(world.admin, product, "1")
    other = make_version(world.admin, product, "2")
    client = _client(world.admin)
    response = client.post(f"/assets/software/{product.pk}/versions/new", _fields("1"))
    assert response.context["form"].errors == {
        "version": ["This product already has this version."]
    }
    response = client.post(
        f"/assets/software/versions/{other.pk}/edit", _fields("1") | {"row_version": "1"}
    )
    assert response.context["form"].errors == {
        "version": ["This product already has this version."]
    }
    assert sorted(SoftwareVersion.objects.values_list("version", flat=True)) == ["1", "2"]


def test_a_stale_edit_is_refused(world):
    version = make_version(world.admin, make_product(world.admin, "Tool"), "1")
    client = _client(world.admin)
    url = f"/assets/software/versions/{version.pk}/edit"
    client.post(url, _fields("1", end_of_life=days(100)) | {"row_version": "1"})
    response = client.post(url, _fields("1", end_of_life=days(5)) | {"row_version": "1"})
    assert "Someone else saved this record meanwhile" in response.content.decode()
    version.refresh_from_db()
    assert (version.end_of_life, version.row_version) == (days(100), 2)


def test_a_new_version_ending_support_within_90_days_is_on_the_report(world):
    product = make_product(world.admin, "Linux")
    client = _client(world.admin)
    client.post(
        f"/assets/software/{product.pk}/versions/new",
        _fields("7", ga_date=days(-2000), end_of_support=days(45)),
    )
    version = SoftwareVersion.objects.get()
    server = make_ci(world.agent, "srv-app-01")
    install(world.agent, server, version)
    (group,) = eol.report(world.agent, within=90).groups
    assert group.version.pk == version.pk and group.phase == "end_of_support_due"
    assert [i.ci_id for i in group.installations] == [server.pk]
    assert "srv-app-01" in _client(world.agent).get("/assets/eol/").content.decode()
    # Moving the date out of the horizon takes it off the report.
    client.post(
        f"/assets/software/versions/{version.pk}/edit",
        _fields("7", ga_date=days(-2000), end_of_support=days(200)) | {"row_version": "1"},
    )
    assert eol.report(world.agent, within=90).groups == []


def test_an_installed_version_is_not_deleted(world):
    version = make_version(world.admin, make_product(world.admin, "Tool"), "1")
    install(world.agent, make_ci(world.agent, "srv"), version)
    response = _client(world.admin).post(
        f"/assets/software/versions/{version.pk}/delete", follow=True
    )
    assert _said(response) == ["Installations of this version exist."]
    assert SoftwareVersion.objects.filter(pk=version.pk).exists()


def test_everyone_but_administrators_of_its_tenant_gets_404(world):
    product = make_product(world.admin, "Tool")
    version = make_version(world.admin, product, "1")
    urls = [
        f"/assets/software/{product.pk}/versions/new",
        f"/assets/software/versions/{version.pk}/edit",
        f"/assets/software/versions/{version.pk}/delete",
        "/assets/software/99999/versions/new",
    ]
    for user in (world.agent, world.requester, world.outsider_agent):
        client = _client(user)
        for url in urls:
            assert client.post(url, _fields("9")).status_code == 404, (user, url)
    assert _client(world.admin).get("/assets/software/99999/versions/new").status_code == 404
    assert list(SoftwareVersion.objects.values_list("version", flat=True)) == ["1"]
