"""Oversized, malformed and odd payloads are 4xx problems, never a server error (C1, F1)."""

from __future__ import annotations

import json

from tests import factories as f
from tests.api.conftest import assert_problem


def test_an_oversized_body_is_413(world, api_as, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps({"title": "big", "description": "x" * 20_000})
    response = api_as(world.agent).post("incidents", body)
    assert_problem(response, 413)


def test_malformed_json_is_400(world, api_as):
    api = api_as(world.agent)
    for raw in ('{"title": "x",', "not json", b"\xff\xfe{"):
        body = assert_problem(api.post("incidents", raw), 400)
        assert body["type"].endswith("malformed-json")


def test_json_that_is_not_an_object_is_422(world, api_as):
    api = api_as(world.agent)
    for raw in ("[1, 2]", '"title"', "42", "null"):
        response = api.post("incidents", raw)
        assert response.status_code in (400, 422), (raw, response.status_code)
        assert response["Content-Type"].startswith("application/problem+json")


def test_control_characters_and_huge_numbers_are_422(world, api_as):
    api = api_as(world.agent)
    number = f.make_incident(world.agent).number
    assert_problem(api.post("incidents", {"title": "nul\u0000byte"}), 422)
    assert_problem(api.post("incidents", {"title": "x", "assignment_group": 2**70}), 422)
    assert_problem(api.post("incidents", {"title": "x", "caller": "\u00b2"}), 422)
    assert_problem(
        api.post("incidents", {"title": "x", "due_date": "0001-01-01T00:00:00+14:00"}), 422
    )
    assert_problem(api.post(f"incidents/{number}/comments", {"body": "a\u0000"}), 422)
    assert_problem(api.get("incidents?q=%00"), 422)
    assert_problem(api.get("incidents/INC-%00"), 404)


def test_a_bad_multipart_upload_is_4xx(world, api_as):
    api = api_as(world.agent)
    number = f.make_incident(world.agent).number
    response = api.client.post(
        f"/api/v1/incidents/{number}/attachments",
        b'--xx\r\nContent-Disposition: form-data; name="file"\r\n\r\nbroken',
        content_type="multipart/form-data; boundary=xx",
        headers=api.headers,
    )
    assert 400 <= response.status_code < 500
    assert response["Content-Type"].startswith("application/problem+json")


def test_unknown_api_urls_are_problem_404s(world, api_as):
    assert_problem(api_as(world.agent).get("nothing/here"), 404)
