"""Issue 4 import pages (docs/cmdb.md "Import and export"): after a dry run without errors the
page offers "Import … as checked", which imports exactly the checked bytes, once — browsers
clear the file field after a submit, so the user had to choose the file again (and could pick
another one). Only the uploader may use the checked file, only on the page that checked it,
and only for an hour; anything else asks for the file again and writes nothing."""

from __future__ import annotations

import re
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from serval.cmdb.models import CI
from serval.web.models import StagedUpload
from tests.cmdb.conftest import _seeded  # noqa: F401  (autouse: the CI classes)

CSV = b"class,name,hostname\nserver,srv-staged-1,srv-staged-1.example\nserver,srv-staged-2,\n"
PAGE = "/cmdb/cis/import"


def _checked(client: Client) -> str:
    html = client.post(PAGE, {"file": SimpleUploadedFile("estate.csv", CSV)}).content.decode()
    assert "Dry run: ready to import" in html and "Import “estate.csv” as checked" in html
    match = re.search(r'name="staged" value="([^"]+)"', html)
    assert match
    return match.group(1)


def _agent_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_checked_file_is_imported_once_without_choosing_it_again(world):
    client = _agent_client(world.agent)
    token = _checked(client)
    assert not CI.objects.filter(name__startswith="srv-staged").exists()  # a dry run

    html = client.post(PAGE, {"staged": token, "apply": "1"}).content.decode()
    assert "Imported" in html
    assert CI.objects.filter(name__startswith="srv-staged").count() == 2

    again = client.post(PAGE, {"staged": token, "apply": "1"}).content.decode()
    assert "no longer kept" in again
    assert CI.objects.filter(name__startswith="srv-staged").count() == 2


def test_another_user_a_stale_token_or_another_page_cannot_use_it(world):
    token = _checked(_agent_client(world.agent))

    other = _agent_client(world.agent2)
    assert "no longer kept" in other.post(PAGE, {"staged": token, "apply": "1"}).content.decode()

    mine = _agent_client(world.agent)
    elsewhere = mine.post("/cmdb/relationships/import", {"staged": token, "apply": "1"})
    assert "no longer kept" in elsewhere.content.decode()

    StagedUpload.objects.update(created_at=timezone.now() - timedelta(hours=2))
    assert "no longer kept" in mine.post(PAGE, {"staged": token, "apply": "1"}).content.decode()
    assert not CI.objects.filter(name__startswith="srv-staged").exists()


def test_a_dry_run_with_errors_keeps_nothing(world):
    client = _agent_client(world.agent)
    bad = b"class,name\nno-such-class,x\n"
    html = client.post(PAGE, {"file": SimpleUploadedFile("bad.csv", bad)}).content.decode()
    assert "Nothing was imported" in html and 'name="staged"' not in html
    assert not StagedUpload.objects.exists()
