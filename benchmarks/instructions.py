"""CPU instructions per request, counted by callgrind: a figure noisy machines do not move.

The load scenarios' rates and latencies follow the machine: on the same code, the shared 2-core
machines here ran the single-core SLA computation at 79,000/s one day and 200,000/s the day
before. Valgrind's callgrind counts the instructions a process executes, which is the same
for the same code, data and environment whatever else the machine is doing. So this runs each
scenario's request in-process through Django's WSGI handler (no HTTP server, no wrk), twice
under callgrind at once — once with only the warm-up, once with N more requests — and reports
the difference divided by N: the application's own CPU work per request, Python included.

Run with the environment of a database `serval bench-data` filled (DATABASE_URL,
SERVAL_DATA_DIR) and BENCH_PREPARED set to what `benchmarks/prepare.py` printed; prints JSON:

    .venv/bin/python benchmarks/instructions.py [--requests 20] [--only queue,search,page,create]

Needs valgrind (Debian's package; `benchmarks/run.py --instructions` installs it when root).
The create scenario writes incidents into that database. Under callgrind a process runs ~50×
slower, so a scenario takes about a minute.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import scenarios  # benchmarks/scenarios.py, beside this script

SCENARIOS = ("queue", "search", "page", "create")
WARM_UP = 10


def _request(prepared: dict[str, Any], kind: str) -> dict[str, Any]:
    """The WSGI environ of one request of the scenario, as benchmarks/run.py's load sends it."""
    path, query, body = scenarios.INCIDENTS, "", b""
    headers = {"HTTP_AUTHORIZATION": f"Bearer {prepared['token']}"}
    if kind == "queue":
        path, _, query = scenarios.queue_path(prepared).partition("?")
    elif kind == "search":
        path, _, query = scenarios.search_path(scenarios.SEARCH_WORDS[0]).partition("?")
    elif kind == "page":
        path = scenarios.page_path(prepared["numbers"][0])
        headers = {"HTTP_COOKIE": prepared["session_cookie"]}
    elif kind == "create":
        body = json.dumps(scenarios.create_body(prepared)).encode()
    return {
        **headers,
        "REQUEST_METHOD": "POST" if body else "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "body": body,
    }


def child(kind: str, count: int) -> None:
    """Inside callgrind: set Django up, warm up, then serve `count` requests of `kind`."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "serval.settings")
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler

    prepared = json.loads(os.environ["BENCH_PREPARED"])
    app = WSGIHandler()
    statuses: list[str] = []

    def start_response(status: str, headers: Any, exc_info: Any = None) -> None:
        statuses.append(status)

    for _ in range(WARM_UP + count):
        environ = _request(prepared, kind)
        environ["wsgi.input"] = io.BytesIO(environ.pop("body"))
        b"".join(app(environ, start_response))
    wrong = [s for s in statuses if not s.startswith(("200", "201"))]
    if wrong:
        raise SystemExit(f"{kind}: {len(wrong)} requests answered {wrong[0]}")


def _total(kind: str, count: int, workdir: Path) -> int:
    out = workdir / f"callgrind.{kind}.{count}"
    proc = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={out}",
            sys.executable,
            __file__,
            "--child",
            kind,
            str(count),
        ],
        capture_output=True,
        text=True,
        timeout=1800,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    if proc.returncode:
        raise SystemExit(f"callgrind run failed ({kind}): {proc.stderr[-2000:]}")
    match = re.search(r"^(?:summary|totals):\s+(\d+)", out.read_text(), re.M)
    if not match:
        raise SystemExit(f"no total in {out}")
    return int(match.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=20, help="measured requests per scenario")
    parser.add_argument("--only", default=",".join(SCENARIOS))
    parser.add_argument("--child", nargs=2, metavar=("KIND", "COUNT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]))
        return
    kinds = [k for k in args.only.split(",") if k in SCENARIOS]
    result: dict[str, Any] = {"requests": args.requests, "instructions_per_request": {}}
    with tempfile.TemporaryDirectory(prefix="serval-callgrind.") as tmp:
        for kind in kinds:
            # Both runs at once (two cores): the baseline and the measured one.
            with ThreadPoolExecutor(2) as pool:
                base = pool.submit(_total, kind, 0, Path(tmp))
                measured = pool.submit(_total, kind, args.requests, Path(tmp))
                per_request = (measured.result() - base.result()) / args.requests
            result["instructions_per_request"][kind] = round(per_request)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
