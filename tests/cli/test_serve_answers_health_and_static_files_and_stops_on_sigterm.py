"""Issue 2 set-up: `serval serve` runs gunicorn (not runserver), answers /healthz, serves static
files with DEBUG off and no collectstatic, and stops cleanly on SIGTERM."""

from __future__ import annotations

import http.client
import json
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.db import connection

from tests.cli._processes import REPO, SERVAL, clean_env, free_port

STATIC = REPO / "src/serval/web/static"


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""


def _database_env(tmp_path: Path) -> tuple[dict[str, str], list[str]]:
    """SQLite: a fresh data dir migrated here. PostgreSQL: the already-migrated test database
    (no embedded worker, so nothing is written to it behind the test's back)."""
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        url = f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"  # noqa: E501
        return clean_env(tmp_path, DATABASE_URL=url, SERVAL_SECURE_SSL="0"), ["--no-worker"]
    env = clean_env(tmp_path, SERVAL_SECURE_SSL="0")
    subprocess.run([*SERVAL, "migrate", "-v0"], env=env, check=True, timeout=300)
    return env, []


def _children(pid: int) -> dict[int, tuple[str, int]]:
    """{pid: (command line, nice value)} of the processes whose parent is `pid`."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(fields[1]) == pid:  # fields[0] is the state, then ppid … nice is the 17th
            found[int(entry.name)] = (cmdline, int(fields[16]))
    return found


def _worker_nice(pid: int, wait: float = 15) -> int | None:
    """The nice value of the embedded task worker `serve` started, once it has started."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        for cmdline, nice in _children(pid).values():
            if "serval.cli worker" in cmdline:
                return nice
        time.sleep(0.1)
    return None


def test_serve_answers_health_and_static_then_stops_cleanly(db, tmp_path):
    env, extra = _database_env(tmp_path)
    port = free_port()
    proc = subprocess.Popen(
        [*SERVAL, "serve", "--port", str(port), "--workers", "1", *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        status, body = 0, b""
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                status, body = _get(f"{base}/healthz")
            except OSError:
                status = 0
            if status == 200:
                break
            time.sleep(0.1)
        assert status == 200, "no healthy answer within 20 s"
        health = json.loads(body)
        assert health["status"] == "ok" and health["database"] == "ok"
        assert health["vendor"] == connection.vendor

        asset = (
            "vendor/tabler.min.css"
            if (STATIC / "vendor/tabler.min.css").exists()
            else "src/app.css"
        )
        status, css = _get(f"{base}/static/{asset}")
        assert status == 200 and css == (STATIC / asset).read_bytes()

        # Keep-alive is off by default (SERVAL_WEB_KEEPALIVE=0): every response closes its
        # connection, so one client's requests spread over all workers (benchmarks/README.md).
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            conn.request("GET", "/healthz")
            reply = conn.getresponse()
            reply.read()
            assert reply.getheader("Connection", "").lower() == "close"
        finally:
            conn.close()

        # The embedded task worker yields the CPU to the web workers (SERVAL_EMBEDDED_WORKER_NICE,
        # default 10): under load, follow-ups wait and pages do not (benchmarks/README.md).
        if extra == ["--no-worker"]:
            assert _worker_nice(proc.pid, wait=1) is None
        else:
            worker = _worker_nice(proc.pid)
            gunicorn = [n for c, n in _children(proc.pid).values() if "gunicorn" in c]
            assert len(gunicorn) == 1 and worker == min(gunicorn[0] + 10, 19)
    finally:
        proc.terminate()  # SIGTERM
        output, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, output
    assert f"http://127.0.0.1:{port}/" in output
    assert "Serval stopped." in output
    try:
        _get(f"{base}/healthz")
        still_listening = True
    except OSError:
        still_listening = False
    assert not still_listening, "gunicorn kept running after serve stopped"
