"""benchmarks/instructions.py counts the CPU work of the load scenarios' requests (issue 6).

Under callgrind it replays each scenario through Django's WSGI handler; a count of requests
that failed (a 403 from a host check, a 404 from a wrong path) would measure the error page.
This sends the very environs it builds through the handler here and checks they succeed with
the scenario's answer; the callgrind runs themselves are too slow for the suite.
"""

from __future__ import annotations

import importlib.util
import io
import json
from pathlib import Path

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client

from serval.incidents import states as S
from tests import factories as f

HERE = Path(__file__).resolve().parents[2] / "benchmarks" / "instructions.py"


def _module():
    spec = importlib.util.spec_from_file_location("bench_instructions", HERE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def keep_connection():
    """The handler closes the connection after each request; the test's transaction needs it
    (Django's test client disconnects the same receivers)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_every_scenario_request_succeeds_in_process(world, settings, keep_connection, monkeypatch):
    monkeypatch.syspath_prepend(str(HERE.parent))  # its `import scenarios`, as when run
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    settings.SECURE_SSL_REDIRECT = False
    bench = _module()
    item = f.make_incident(world.agent, title="printer offline", assignment_group=world.team.pk)
    client = Client()
    client.force_login(world.agent)
    prepared = {
        "token": f.token_for(world.agent),
        "team": world.team.pk,
        "open_states": ",".join(S.OPEN_STATES),
        "numbers": [item.number],
        "session_cookie": f"{settings.SESSION_COOKIE_NAME}="
        + client.cookies[settings.SESSION_COOKIE_NAME].value,
    }
    app = WSGIHandler()
    for kind in bench.SCENARIOS:
        environ = bench._request(prepared, kind)
        environ["wsgi.input"] = io.BytesIO(environ.pop("body"))
        seen: list[str] = []
        body = b"".join(app(environ, lambda status, headers, exc=None, s=seen: s.append(status)))
        assert seen[0].split()[0] == ("201" if kind == "create" else "200"), (kind, body[:300])
        if kind in ("queue", "search"):
            assert item.number in {i["number"] for i in json.loads(body)["items"]}, kind
        if kind == "page":
            assert item.title.encode() in body
