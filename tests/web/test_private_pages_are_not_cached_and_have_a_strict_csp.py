"""SECURITY-REFERENCE E4 and B5: private pages say no-store; the CSP forbids inline script."""

import re

import pytest
from django.test import Client

from tests import factories as f


@pytest.mark.parametrize(
    "path", ["/", "/incidents/", "/incidents/new", "/queues/", "/accounts/profile/"]
)
def test_private_pages_are_not_stored(world, signed_in, path):
    response = signed_in(world.agent).get(path)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_the_login_page_is_not_stored_either(db):
    assert "no-store" in Client().get("/accounts/login/")["Cache-Control"]


def test_csp_has_no_unsafe_inline_and_pages_have_no_inline_script_or_style(world, signed_in):
    client = signed_in(world.agent)
    inc = f.make_incident(world.agent)
    for path in ("/", "/incidents/", f"/incidents/{inc.number}/", "/incidents/new"):
        response = client.get(path)
        csp = response["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "script-src 'self'" in csp
        html = response.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert not re.search(r"\sstyle=", html), path
        assert "<style" not in html
        assert not re.search(r"\son[a-z]+=", html), path
