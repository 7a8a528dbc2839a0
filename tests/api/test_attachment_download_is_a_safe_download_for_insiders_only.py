"""Attachments: served as downloads with nosniff and a sandbox CSP, only to those who may see
the item (SECURITY-REFERENCE A2, B3, F1, F2)."""

from __future__ import annotations

from tests import factories as f
from tests.api.conftest import Api, assert_problem


def test_download_headers(world, api_as):
    api = api_as(world.agent)
    number = f.make_incident(world.requester).number
    up = api.upload(f"incidents/{number}/attachments", "résumé report.txt", b"hello")
    assert up.status_code == 201, up.content
    meta = up.json()
    assert meta["content_type"] == "text/plain"
    assert meta["size"] == 5
    listed = api.get(f"incidents/{number}/attachments").json()
    assert [a["id"] for a in listed] == [meta["id"]]

    response = api.get(meta["download_url"])
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''r%C3%A9sum%C3%A9%20report.txt" in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["Content-Type"].startswith("text/plain")
    assert response["Cache-Control"] == "no-store"

    # The caller (the requester who logged it) may download the public file too.
    assert Api(f.token_for(world.requester)).get(meta["download_url"]).status_code == 200


def test_outsiders_and_unknown_ids_get_404(world, api_as):
    number = f.make_incident(world.agent).number
    up = api_as(world.agent).upload(f"incidents/{number}/attachments", "a.txt", b"x")
    url = up.json()["download_url"]
    for who in (world.outsider_agent, world.outsider_requester, world.requester_other_org):
        assert_problem(Api(f.token_for(who)).get(url), 404)
    assert_problem(api_as(world.agent).get("attachments/999999/download"), 404)
    assert_problem(Api(None).get(url), 401)


def test_uploads_are_checked_by_the_action(world, api_as):
    api = api_as(world.agent)
    number = f.make_incident(world.agent).number
    bad_type = api.upload(f"incidents/{number}/attachments", "run.exe", b"MZ....")
    assert assert_problem(bad_type, 422)["errors"][0]["field"] == "file"
    spoofed = api.upload(f"incidents/{number}/attachments", "photo.png", b"<script>")
    assert_problem(spoofed, 422)
    missing = api.client.post(f"/api/v1/incidents/{number}/attachments", {}, headers=api.headers)
    assert_problem(missing, 422)


def test_files_over_the_limit_are_refused(world, api_as, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    api = api_as(world.agent)
    number = f.make_incident(world.agent).number
    assert_problem(api.upload(f"incidents/{number}/attachments", "big.txt", b"x" * 2000), 422)


def test_requesters_cannot_upload_internal_files(world, api_as):
    number = f.make_incident(world.requester).number
    response = api_as(world.requester).upload(
        f"incidents/{number}/attachments", "a.txt", b"x", internal="true"
    )
    assert_problem(response, 403)
