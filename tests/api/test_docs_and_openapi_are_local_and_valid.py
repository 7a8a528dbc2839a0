"""The OpenAPI document is 3.1 and the docs page loads nothing from the internet (DESIGN rule 9)."""

from __future__ import annotations

import re

from django.test import Client


def test_openapi_document(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.1")
    paths = schema["paths"]
    for path in (
        "/api/v1/incidents",
        "/api/v1/incidents/{number}",
        "/api/v1/incidents/{number}/transition",
        "/api/v1/incidents/{number}/journal",
        "/api/v1/attachments/{id}/download",
        "/api/v1/users/me",
        "/api/v1/tokens",
    ):
        assert path in paths
    error = paths["/api/v1/incidents/{number}"]["get"]["responses"]["404"]
    assert "application/problem+json" in error["content"]
    schemes = schema["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_docs_page_uses_only_local_assets(db):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls, html
    assert all(u.startswith("/static/") for u in urls), urls
    assert "cdn" not in html.lower()
    for url in urls:
        assert Client().get(url).status_code == 200, url
