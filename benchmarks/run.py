"""`make bench`: Serval measured at scale on PostgreSQL and SQLite, printed as one table (issue 6).

For each database: a fresh database (PostgreSQL: a throwaway cluster made with initdb on a free
loopback port, as .ci/run does), `serval migrate`, `serval bench-data`, a bare driver loop that
writes the same rows as one incident create (the physical limit), then `serval serve` started the
production way (gunicorn, several workers, the embedded task worker) on 127.0.0.1, timed until
/healthz answers, and driven by wrk (Debian's package) with small Lua scripts. Every load run is
bounded in requests and seconds; every server started here is stopped on exit.

    .venv/bin/python benchmarks/run.py [--quick] [--db postgresql,sqlite] [--items N]
"""

from __future__ import annotations

import argparse
import atexit
import base64
import contextlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import scenarios  # benchmarks/scenarios.py, beside this script
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
PY = str(BIN / "python") if (BIN / "python").exists() else sys.executable
SERVAL = [PY, "-m", "serval.cli"]
HERE = Path(__file__).resolve().parent
console = Console() if sys.stdout.isatty() else Console(width=180)
CLEANUPS: list[Any] = []


def _cleanup() -> None:
    while CLEANUPS:
        with contextlib.suppress(Exception):
            CLEANUPS.pop()()


atexit.register(_cleanup)


def _on_signal(signum: int, frame: object) -> None:
    _cleanup()
    sys.exit(128 + signum)


signal.signal(signal.SIGTERM, _on_signal)
signal.signal(signal.SIGINT, _on_signal)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(cmd: list[str], env: dict[str, str], **kw: Any) -> str:
    out = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, **kw)
    if out.returncode:
        console.print(out.stdout[-3000:], out.stderr[-3000:])
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return out.stdout


# --- PostgreSQL ------------------------------------------------------------------------------


def start_postgres(workdir: Path) -> str:
    """A private cluster on 127.0.0.1:<free port>; stopped and deleted on exit."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found and not shutil.which("initdb"):
        raise SystemExit("PostgreSQL server binaries not found (apt-get install postgresql)")
    pg_bin = found[-1].parent if found else Path(shutil.which("initdb") or "").parent
    pg_dir = Path(tempfile.mkdtemp(prefix="serval-bench-pg.", dir=workdir))
    as_pg: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(pg_dir, "postgres", "postgres")
        os.chmod(workdir, 0o755)
        as_pg = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    data = pg_dir / "data"
    subprocess.run(
        [
            *as_pg,
            str(pg_bin / "initdb"),
            "-D",
            str(data),
            "--username=postgres",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        ],
        check=True,
        capture_output=True,
    )
    opts = (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {pg_dir} -c shared_buffers=1GB "
        "-c max_connections=100 -c max_wal_size=4GB -c checkpoint_timeout=30min"
    )
    subprocess.run(
        [
            *as_pg,
            str(pg_bin / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(pg_dir / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
            "-o",
            opts,
        ],
        check=True,
        capture_output=True,
    )

    def stop() -> None:
        subprocess.run(
            [*as_pg, str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
            capture_output=True,
        )
        shutil.rmtree(pg_dir, ignore_errors=True)

    CLEANUPS.append(stop)
    sql = (
        "CREATE ROLE serval LOGIN CREATEDB PASSWORD 'serval-bench'; "
        "CREATE DATABASE serval OWNER serval;"
    )
    for statement in sql.split("; "):
        subprocess.run(
            [
                *as_pg,
                str(pg_bin / "psql"),
                "-h",
                str(pg_dir),
                "-p",
                str(port),
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-v",
                "ON_ERROR_STOP=1",
                "-qc",
                statement,
            ],
            check=True,
            capture_output=True,
        )
    return f"postgres://serval:serval-bench@127.0.0.1:{port}/serval"


# --- the server ------------------------------------------------------------------------------


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    port: int
    healthy_after: float

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def workers(self) -> list[int]:
        """Pids of gunicorn's worker processes (children of its master)."""
        parents = {self.proc.pid}
        found: list[int] = []
        for _round in range(2):
            kids = []
            for stat in Path("/proc").glob("[0-9]*/stat"):
                try:
                    text = stat.read_text()
                except OSError:
                    continue
                ppid = int(text.rsplit(")", 1)[1].split()[1])
                if ppid in parents:
                    kids.append(int(stat.parent.name))
            masters = [p for p in kids if b"gunicorn" in _cmdline(p)]
            if _round == 0:
                parents = set(masters)
            else:
                found = kids
        return found


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def start_server(env: dict[str, str], workers: int, threads: int) -> Server:
    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen(
        [
            *SERVAL,
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--threads",
            str(threads),
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        process_group=0,
    )

    def stop() -> None:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    CLEANUPS.append(stop)
    deadline = started + 60
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            raise SystemExit("serval serve exited during start-up")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                if r.status == 200:
                    return Server(proc, port, time.perf_counter() - started)
        except OSError:
            time.sleep(0.02)
    raise SystemExit("serval serve did not answer /healthz within 60 s")


# --- wrk -------------------------------------------------------------------------------------

LUA = r"""
local paths = {%(paths)s}
local method = "%(method)s"
local headers = {%(headers)s}
local body_template = %(body)s
local limit = %(limit)d
local done_file = "%(done_file)s"
local counter = 0
local id = 0
setup = function(thread) id = id + 1; thread:set("tid", id) end
request = function()
  counter = counter + 1
  local path = paths[(counter %% #paths) + 1]
  local body = nil
  if body_template then body = string.gsub(body_template, "COUNTER", tid .. "-" .. counter) end
  return wrk.format(method, path, headers, body)
end
response = function(status, hdrs, body)
  if limit > 0 and counter >= limit then
    -- wrk's main thread sleeps for the whole -d even when every thread has stopped; the file
    -- tells run.py to interrupt it (SIGINT), so the run and its duration end with the limit.
    local f = io.open(done_file, "w")
    if f then f:close() end
    wrk.thread:stop()
  end
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%%d,"duration_us":%%d,"p50":%%d,"p95":%%d,"p99":%%d,' ..
    '"status_errors":%%d,"other_errors":%%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def _lua_str(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid Lua string literal for this ASCII text


@dataclass
class Load:
    requests: int
    seconds: float
    p50: float
    p95: float
    p99: float
    errors: int

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk(
    server: Server,
    workdir: Path,
    *,
    paths: list[str],
    headers: dict[str, str],
    method: str = "GET",
    body: str | None = None,
    connections: int = 8,
    seconds: int = 10,
    max_requests: int = 50_000,
) -> Load:
    threads = 1
    stamp = time.monotonic_ns()
    script = workdir / f"load-{stamp}.lua"
    done_file = workdir / f"load-{stamp}.done"
    script.write_text(
        LUA
        % {
            "paths": ", ".join(_lua_str(p) for p in paths),
            "method": method,
            "headers": ", ".join(f"[{_lua_str(k)}] = {_lua_str(v)}" for k, v in headers.items()),
            "body": _lua_str(body) if body else "nil",
            "limit": max(1, max_requests // threads) if max_requests else 0,
            "done_file": str(done_file),
        }
    )
    proc = subprocess.Popen(
        [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            server.base,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + seconds + 60
    while proc.poll() is None and time.monotonic() < deadline:
        if done_file.exists():
            proc.send_signal(signal.SIGINT)  # wrk then joins its threads and reports
            break
        time.sleep(0.05)
    try:
        stdout, stderr = proc.communicate(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        proc.kill()
        stdout, stderr = proc.communicate()
    match = re.search(r"WRKJSON (\{.*\})", stdout)
    if not match:
        raise SystemExit(f"wrk failed: {stdout[-2000:]} {stderr[-2000:]}")
    data = json.loads(match.group(1))
    return Load(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50=data["p50"] / 1000,
        p95=data["p95"] / 1000,
        p99=data["p99"] / 1000,
        errors=data["status_errors"] + data["other_errors"],
    )


# --- one database ----------------------------------------------------------------------------


@dataclass
class Row:
    scenario: str
    database: str
    size: str
    concurrency: str = "-"
    throughput: str = "-"
    p50: str = "-"
    p95: str = "-"
    p99: str = "-"
    target: str = ""
    mark: str = ""


@dataclass
class Outcome:
    rows: list[Row] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)


def _ms(value: float) -> str:
    return f"{value:.1f}"


def _mark(ok: bool) -> str:
    return "[green]pass[/]" if ok else "[red]short[/]"


def bench_database(vendor: str, args: argparse.Namespace, workdir: Path) -> Outcome:
    out = Outcome()
    data_dir = workdir / f"data-{vendor}"
    data_dir.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SERVAL_") and k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(SERVAL_DATA_DIR=str(data_dir), SERVAL_SECURE_SSL="0", SERVAL_DEBUG="0")
    # Mails are built and handed to a backend that drops them, as in the peer's settings
    # (benchmarks/helpdesk/hd_settings.py). Without it they went to localhost:25, where no MTA
    # listens here: every notification task failed at its first recipient and was retried.
    env["SERVAL_EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    if vendor == "postgresql":
        env["DATABASE_URL"] = start_postgres(workdir)
    label = "PostgreSQL" if vendor == "postgresql" else "SQLite"
    console.rule(f"{label}: {args.items:,} incidents")
    run([*SERVAL, "migrate", "-v", "0"], env)
    started = time.perf_counter()
    gen_out = run(
        [
            *SERVAL,
            "bench-data",
            "--work-items",
            str(args.items),
            "--users",
            str(args.users),
            "--teams",
            str(args.teams),
            "--tenants",
            str(args.tenants),
            "--no-progress",
        ],
        env,
        timeout=3600,
    )
    gen_seconds = time.perf_counter() - started
    console.print(gen_out.strip().splitlines()[-1])
    rate = re.search(r"([\d,]+) incidents/s", gen_out)
    size = f"{args.items:,}"
    out.facts["generate_seconds"] = round(gen_seconds, 1)
    out.rows.append(
        Row(
            "generate incidents (bench-data)",
            label,
            size,
            "1",
            f"{rate.group(1) if rate else '?'} items/s",
            target="1,000,000 in minutes",
            mark=_mark(args.items / gen_seconds * 600 >= 1_000_000),
        )
    )
    if "5" in args.only:
        # The CMDB graph, generated apart so the incident rate above stays clean.
        started = time.perf_counter()
        cmdb_out = run(
            [
                *SERVAL,
                "bench-data",
                "--work-items=0",
                "--users=2",
                "--teams=2",
                "--tenants=2",
                f"--cis={args.cis}",
                f"--relationships={args.relationships}",
                "--no-progress",
            ],
            env,
            timeout=7200,
        )
        cmdb_seconds = time.perf_counter() - started
        console.print(cmdb_out.strip().splitlines()[-1])
        out.facts["cmdb_generate_seconds"] = round(cmdb_seconds, 1)
        out.rows.append(
            Row(
                "generate CMDB (bench-data --cis)",
                label,
                f"{args.cis:,} CIs / {args.relationships:,} rels",
                "1",
                f"{(args.cis + args.relationships) / cmdb_seconds:,.0f} rows/s",
                target="(reference)",
            )
        )
    prepared = json.loads(run([PY, str(HERE / "prepare.py")], env))
    env_bare = {**env, "BENCH_PREPARED": json.dumps(prepared)}
    bare = json.loads(
        run(
            [PY, str(HERE / "bare.py"), "--seconds", str(args.seconds), "--max", "100000"], env_bare
        )
    )
    console.print(f"bare driver loop: {bare['rate']:.0f} incidents/s")
    out.rows.append(
        Row(
            "bare driver loop: the rows of one create",
            label,
            size,
            "1",
            f"{bare['rate']:.0f}/s",
            target="(reference)",
        )
    )

    if args.instructions:
        counted = json.loads(
            run(
                [PY, str(HERE / "instructions.py"), "--requests", str(args.instructions)],
                env_bare,
                timeout=7200,
            )
        )
        out.facts["instructions_per_request"] = counted["instructions_per_request"]
        for kind, total in counted["instructions_per_request"].items():
            out.rows.append(
                Row(
                    f"instructions per request (callgrind): {kind}",
                    label,
                    size,
                    "1",
                    f"{total / 1e6:.1f} M",
                    target="(reference; machine-independent)",
                )
            )

    server = start_server(env, args.workers, args.threads)
    console.print(f"/healthz answered {server.healthy_after:.2f} s after `serval serve`")
    out.rows.append(
        Row(
            "start-up: serve → /healthz",
            label,
            size,
            "-",
            "-",
            _ms(server.healthy_after * 1000),
            target="≤ 3000 ms",
            mark=_mark(server.healthy_after <= 3.0),
        )
    )
    token = {"Authorization": f"Bearer {prepared['token']}"}
    common = {"seconds": args.seconds, "max_requests": args.max_requests}
    c = args.concurrency

    if "1" in args.only:
        # 1. create through the API
        body = json.dumps(scenarios.create_body(prepared))
        load = wrk(
            server,
            workdir,
            paths=[scenarios.INCIDENTS],
            method="POST",
            body=body,
            headers={**token, "Content-Type": "application/json"},
            connections=c,
            **common,
        )
        ratio = load.rate / bare["rate"] if bare["rate"] else 0
        out.facts["create_ratio"] = round(ratio, 3)
        out.facts["create_rate"] = load.rate
        out.rows.append(
            _load_row(
                "1. create incident (API)",
                label,
                size,
                c,
                load,
                f"≥ 0.25 × bare (now {ratio:.2f})",
                ratio >= 0.25,
            )
        )
        # The creates' queued follow-ups, run by the embedded worker before the read scenarios
        # (which would otherwise share the CPU with it).
        drained = json.loads(run([PY, str(HERE / "drain.py"), "300"], env))
        console.print(
            f"follow-ups of the creates: {drained['due_at_start']} due tasks drained in "
            f"{drained['seconds']:.1f} s ({drained['left']} left)"
        )
        out.facts["create_followups_drain_seconds"] = drained["seconds"]
        out.rows.append(
            Row(
                "1. … their queued follow-ups run by the task worker",
                label,
                f"{drained['due_at_start']:,} tasks",
                "1",
                f"{drained['due_at_start'] / max(drained['seconds'], 0.01):,.0f} tasks/s",
                target="(reference)" if not drained["left"] else "(reference; not all ran)",
            )
        )

    # 2. an agent's queue: 50 open items of the agent's team, soonest SLA breach first
    queue = scenarios.queue_path(prepared)
    if "2" in args.only:
        load = wrk(server, workdir, paths=[queue], headers=token, connections=c, **common)
        out.facts["queue_rate"] = load.rate
        out.rows.append(
            _load_row(
                "2. agent queue (50 open, team)",
                label,
                size,
                c,
                load,
                "p95 ≤ 25 ms",
                load.p95 <= 25,
            )
        )

    if "3" in args.only:
        # 3. full-text search, a different word each request
        paths = [scenarios.search_path(w) for w in scenarios.SEARCH_WORDS]
        load = wrk(server, workdir, paths=paths, headers=token, connections=c, **common)
        out.rows.append(
            _load_row(
                "3. full-text search (50 hits)", label, size, c, load, "p95 ≤ 50 ms", load.p95 <= 50
            )
        )

    if "4" in args.only:
        # 4. incident page with its timeline, as a logged-in agent
        cookie = {"Cookie": prepared["session_cookie"]}
        pages = [scenarios.page_path(n) for n in prepared["numbers"]]
        load = wrk(server, workdir, paths=pages, headers=cookie, connections=c, **common)
        out.rows.append(
            _load_row(
                "4. incident page + timeline", label, size, c, load, "p95 ≤ 100 ms", load.p95 <= 100
            )
        )

    if "5" in args.only:
        out.rows.extend(impact_rows(label, args, env, out.facts))
    if "6" in args.only:
        out.rows.extend(sla_rows(label, env, out.facts))

    if "7" in args.only:
        # 7. memory: a mix of the read scenarios; RSS after warm-up, then after 10,000 requests
        mixed = [
            queue,
            *[scenarios.search_path(w) for w in ("printer", "vpn", "dns")],
            *[scenarios.page_path(n) for n in prepared["numbers"][:20]],
        ]
        headers = {**token, "Cookie": prepared["session_cookie"]}
        pids = server.workers()
        samples: list[tuple[float, float]] = []
        stop_sampling = threading.Event()

        def sample() -> None:
            t0 = time.perf_counter()
            while not stop_sampling.is_set():
                samples.append(
                    (time.perf_counter() - t0, max((rss_mb(p) for p in pids), default=0))
                )
                stop_sampling.wait(0.5)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        warm = wrk(
            server,
            workdir,
            paths=mixed,
            headers=headers,
            connections=c,
            seconds=120,
            max_requests=args.memory_requests // 5,
        )
        after_warm = max((rss_mb(p) for p in pids), default=0)
        rest = wrk(
            server,
            workdir,
            paths=mixed,
            headers=headers,
            connections=c,
            seconds=300,
            max_requests=args.memory_requests - warm.requests,
        )
        stop_sampling.set()
        sampler.join()
        final = max((rss_mb(p) for p in pids), default=0)
        total = warm.requests + rest.requests
        growth = final - after_warm
        flat = growth <= max(5.0, after_warm * 0.05)
        out.facts["rss"] = {
            "workers": len(pids),
            "after_warmup_mb": round(after_warm, 1),
            "final_mb": round(final, 1),
            "requests": total,
            "samples": [
                (round(t, 1), round(m, 1)) for t, m in samples[:: max(1, len(samples) // 12)]
            ],
        }
        out.rows.append(
            Row(
                "7. worker RSS after requests",
                label,
                size,
                str(c),
                f"{total:,} req",
                f"{after_warm:.0f} MB warm",
                f"{final:.0f} MB end",
                f"{growth:+.1f} MB",
                "≤ 150 MB and flat",
                _mark(final <= 150 and flat),
            )
        )
        console.print(
            f"worker RSS (MB, max of {len(pids)} workers) over time: {out.facts['rss']['samples']}"
        )
    if vendor == "postgresql" and "h" in args.only:
        server.proc.send_signal(signal.SIGTERM)
        server.proc.wait(timeout=60)
        out.rows.extend(helpdesk_side_by_side(env["DATABASE_URL"], args, workdir, out.facts))
    return out


def impact_rows(
    label: str, args: argparse.Namespace, env: dict[str, str], facts: dict[str, Any]
) -> list[Row]:
    """Scenario 5 in-process (benchmarks/impact_bench.py): the walk, then networkx's BFS."""
    data = json.loads(
        run(
            [
                PY,
                str(HERE / "impact_bench.py"),
                "--starts",
                str(args.impact_starts),
                "--depth",
                "6",
            ],
            env,
            timeout=3600,
        )
    )
    facts["impact"] = data
    size = f"{data['cis']:,} CIs / {data['relationships']:,} rels"
    db, bfs = data["db_ms"], data["bfs_ms"]
    ratio = data["ratio_p50"] or 0.0
    console.print(
        f"impact: {data['starts']} starts, depth 6, reached CIs median "
        f"{data['reached_cis']['median']} (max {data['reached_cis']['max']}), "
        f"{data['starts_reaching_a_service']} reach a service, {data['mismatches']} mismatches "
        f"vs BFS; graph loaded into networkx in {data['graph_load_seconds']} s"
    )
    return [
        Row(
            "5. upstream impact, depth 6 (in-process walk)",
            label,
            size,
            "1",
            f"{1000 / db['mean']:.0f} walks/s",
            _ms(db["p50"]),
            _ms(db["p95"]),
            _ms(db["p99"]),
            "p95 ≤ 50 ms",
            _mark(db["p95"] <= 50 and not data["mismatches"]),
        ),
        Row(
            "5. vs in-memory BFS (networkx), same starts",
            label,
            size,
            "1",
            f"{1000 / bfs['mean']:.0f} BFS/s",
            f"{bfs['p50']:.2f}",
            f"{bfs['p95']:.2f}",
            f"{bfs['p99']:.2f}",
            f"within 10× (now {ratio:.0f}× at p50)",
            _mark(ratio <= 10),
        ),
    ]


def sla_rows(label: str, env: dict[str, str], facts: dict[str, Any]) -> list[Row]:
    """Scenario 6 (benchmarks/sla_bench.py): deadlines on one core, then the sweep over the
    clocks bench-data generated (every incident's, ~40 % still running)."""
    data = json.loads(
        run([PY, str(HERE / "sla_bench.py"), "--existing", "--json"], env, timeout=1800)
    )
    facts["sla"] = data
    console.print(
        f"sla: {data['deadlines_per_second']:,.0f} deadlines/s; sweep of {data['running']:,} "
        f"running clocks ({data['clocks']:,} in all) found {data['due']:,} due"
    )
    return [
        Row(
            "6. SLA deadline computations (one core)",
            label,
            "real calendar",
            "1",
            f"{data['deadlines_per_second']:,.0f}/s",
            target="≥ 100,000 per second per core",
            mark=_mark(data["deadlines_per_second"] >= 100_000),
        ),
        Row(
            "6. sweep of running SLA clocks (due ones, by index)",
            label,
            f"{data['running']:,} running / {data['clocks']:,} clocks",
            "1",
            f"{data['due']:,} due",
            _ms(data["median_ms"]),
            "-",
            _ms(data["worst_ms"]),
            target="≤ 200 ms (1,000,000 clocks)",
            mark=_mark(data["median_ms"] <= 200),
        ),
    ]


HELPDESK = ["django-helpdesk==2.6.1", "psycopg[binary]>=3.2", "gunicorn>=23"]


def helpdesk_side_by_side(
    url: str, args: argparse.Namespace, workdir: Path, facts: dict[str, Any]
) -> list[Row]:
    """django-helpdesk from PyPI in its own venv, on the same PostgreSQL server, same load."""
    import psycopg

    venv = ROOT / "var" / "bench-helpdesk-venv"
    if not (venv / "bin" / "gunicorn").exists():
        console.print("creating the django-helpdesk venv (var/bench-helpdesk-venv)")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "-q", *HELPDESK], check=True, timeout=900
        )
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE DATABASE helpdesk")
    match = re.match(r"postgres://([^:]+):([^@]+)@[^:]+:(\d+)/", url)
    assert match
    env = {
        **os.environ,
        "HD_DB_NAME": "helpdesk",
        "HD_DB_USER": match.group(1),
        "HD_DB_PASSWORD": match.group(2),
        "HD_DB_PORT": match.group(3),
        "DJANGO_SETTINGS_MODULE": "hd_settings",
        "PYTHONPATH": str(HERE / "helpdesk"),
    }
    hd = HERE / "helpdesk"
    subprocess.run(
        [str(venv / "bin" / "django-admin"), "migrate", "-v", "0"],
        env=env,
        cwd=hd,
        check=True,
        capture_output=True,
    )
    started = time.perf_counter()
    loaded = json.loads(
        subprocess.run(
            [str(venv / "bin" / "python"), "hd_load.py", str(args.items)],
            env=env,
            cwd=hd,
            check=True,
            capture_output=True,
            text=True,
            timeout=3600,
        ).stdout
    )
    console.print(
        f"django-helpdesk: {args.items:,} tickets loaded in {time.perf_counter() - started:.0f} s"
    )
    port = free_port()
    proc = subprocess.Popen(
        [
            str(venv / "bin" / "gunicorn"),
            "hd_wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--worker-class",
            "gthread",
            # As `serval serve` runs (SERVAL_WEB_KEEPALIVE=0): connections spread over workers.
            "--keep-alive",
            "0",
        ],
        env=env,
        cwd=hd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        process_group=0,
    )

    def stop() -> None:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)

    CLEANUPS.append(stop)
    token = {"Authorization": f"Token {loaded['token']}"}
    listing = "/api/tickets/?status=1&page_size=50"
    # Its staff ticket list page draws its table from this JSON endpoint (DataTables): a page of
    # 50 open tickets by priority, with the list's own counts. Its REST API above walks every
    # accessible ticket in Python on each request (`TicketViewSet.get_queryset` calls
    # `set_custom_field_values()` on each) and nests every follow-up, so it answers a handful
    # of requests a minute at 20,000 tickets; this lighter endpoint is what gives a ratio.
    query = base64.b64encode(
        json.dumps(
            {"filtering": {"status__in": [1]}, "sorting": "priority", "search_string": ""}
        ).encode()
    ).decode()
    light = f"/datatables_ticket_list/{query}?draw=1&start=0&length=50"
    deadline = time.perf_counter() + 60
    while True:
        try:
            ready = {"Cookie": loaded["session_cookie"]}
            req = urllib.request.Request(f"http://127.0.0.1:{port}{light}", headers=ready)
            with urllib.request.urlopen(req, timeout=5) as r:
                if r.status == 200:
                    break
        except OSError:
            if time.perf_counter() > deadline:
                raise SystemExit("django-helpdesk did not start") from None
            time.sleep(0.1)
    server = Server(proc, port, 0.0)
    # Its list endpoint answers 200 with no rows when it cannot see the tickets (a session its
    # REST settings do not accept): make sure a page of tickets is what gets measured.
    ready = {"Cookie": loaded["session_cookie"]}
    req = urllib.request.Request(f"http://127.0.0.1:{port}{light}", headers=ready)
    with urllib.request.urlopen(req, timeout=60) as r:
        shown = len(json.loads(r.read())["data"])
    if not shown:
        raise SystemExit("django-helpdesk's ticket list answered no tickets")
    common = {"seconds": args.seconds, "max_requests": args.max_requests}
    c = args.concurrency
    body = json.dumps(
        {
            "queue": loaded["queue"],
            "title": "Bench ticket COUNTER printer offline",
            "description": "vpn drops",
            "priority": 3,
            "submitter_email": "a@bench.invalid",
        }
    )
    create = wrk(
        server,
        workdir,
        paths=["/api/tickets/"],
        method="POST",
        body=body,
        headers={**token, "Content-Type": "application/json"},
        connections=c,
        **common,
    )
    cookie = {"Cookie": loaded["session_cookie"]}
    queue = wrk(server, workdir, paths=[light], headers=cookie, connections=c, **common)
    # The REST list, given a longer window so it answers at all (reported, no ratio taken).
    api_list = wrk(
        server,
        workdir,
        paths=[listing],
        headers=token,
        connections=c,
        seconds=max(60, args.seconds),
        max_requests=args.max_requests,
    )
    stop()
    size = f"{args.items:,}"
    rows = []
    facts["helpdesk_api_list_rate"] = api_list.rate
    reference = _load_row(
        "peer: django-helpdesk REST list (50 open, nests follow-ups)",
        "PostgreSQL",
        size,
        c,
        api_list,
        f"(reference: {max(60, args.seconds)} s window, no ratio taken)",
        True,
    )
    reference.mark = ""
    rows.append(reference)
    for name, load, key in (
        ("create", create, "create_rate"),
        ("queue list (50 open, its list page's JSON)", queue, "queue_rate"),
    ):
        mine = facts.get(key)
        ratio = mine / load.rate if mine and load.rate else 0.0
        facts[f"helpdesk_{key}"] = load.rate
        rows.append(
            _load_row(
                f"peer: django-helpdesk {name}",
                "PostgreSQL",
                size,
                c,
                load,
                f"Serval ≥ 3× (now {ratio:.2f}×)"
                if mine and load.requests
                else "Serval ≥ 3× (peer answered none)"
                if mine
                else "Serval ≥ 3× (Serval side not run)",
                ratio >= 3,
                # The peer's errors (timeouts, at a million) are the peer's, not Serval's.
                errors_fail=False,
            )
        )
    return rows


def _load_row(
    name: str,
    db: str,
    size: str,
    conc: int,
    load: Load,
    target: str,
    ok: bool,
    *,
    errors_fail: bool = True,
) -> Row:
    errors = f" ({load.errors} errors)" if load.errors else ""
    if not load.requests:
        return Row(
            name, db, size, str(conc), f"none answered in {load.seconds:.0f} s", target=target
        )
    return Row(
        name,
        db,
        size,
        str(conc),
        f"{load.rate:.0f} req/s{errors}",
        _ms(load.p50),
        _ms(load.p95),
        _ms(load.p99),
        target,
        _mark(ok and not (errors_fail and load.errors)),
    )


def _ensure_packages(dbs: str, *, valgrind: bool = False) -> None:
    """wrk, valgrind and the PostgreSQL server come from Debian; installed when root and missing."""
    missing = [] if shutil.which("wrk") else ["wrk"]
    if valgrind and not shutil.which("valgrind"):
        missing.append("valgrind")
    if "postgresql" in dbs and not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        missing.append("postgresql")
    if not missing:
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SystemExit(f"missing: {' '.join(missing)} (apt-get install -y {' '.join(missing)})")
    console.print(f"installing {' '.join(missing)} from Debian")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
        check=True,
        env=env,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a couple of minutes")
    parser.add_argument("--db", default="postgresql,sqlite")
    parser.add_argument("--items", type=int, default=None)
    parser.add_argument("--seconds", type=int, default=None, help="seconds per load run")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--memory-requests", type=int, default=None, help="10,000; quick 2,000")
    parser.add_argument("--only", default="1,2,3,4,5,6,7,h", help="scenarios to run, e.g. 2,3")
    parser.add_argument("--cis", type=int, default=None, help="CMDB size (quick 20,000)")
    parser.add_argument("--impact-starts", type=int, default=200, help="start CIs, scenario 5")
    parser.add_argument("--json", type=Path, default=None, help="also write results here")
    parser.add_argument(
        "--instructions",
        type=int,
        default=0,
        metavar="N",
        help="also count CPU instructions per request over N requests with callgrind "
        "(benchmarks/instructions.py; ~1 minute per scenario and database)",
    )
    args = parser.parse_args()
    args.items = args.items or (20_000 if args.quick else 1_000_000)
    args.seconds = args.seconds or (5 if args.quick else 15)
    args.users = max(50, min(5000, args.items // 200))
    args.teams = max(5, min(200, args.items // 5000))
    args.tenants = 2
    args.cis = args.cis or (20_000 if args.quick else 1_000_000)
    args.relationships = 3 * args.cis
    args.max_requests = 20_000 if args.quick else 100_000
    args.memory_requests = args.memory_requests or (2_000 if args.quick else 10_000)
    _ensure_packages(args.db, valgrind=bool(args.instructions))
    workdir = Path(tempfile.mkdtemp(prefix="serval-bench."))
    CLEANUPS.insert(0, lambda: shutil.rmtree(workdir, ignore_errors=True))
    results: list[Outcome] = []
    for vendor in [d.strip() for d in args.db.split(",") if d.strip()]:
        results.append(bench_database(vendor, args, workdir))
        _cleanup_servers()
    import django

    table = Table(
        title=f"Serval benchmarks — {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"Django {django.get_version()}, {time.strftime('%Y-%m-%d')}"
        + (" (--quick)" if args.quick else "")
    )
    for col in (
        "scenario",
        "database",
        "data size",
        "conc.",
        "throughput",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "target",
        "",
    ):
        table.add_column(col, overflow="fold")
    for outcome in results:
        for r in outcome.rows:
            table.add_row(
                r.scenario,
                r.database,
                r.size,
                r.concurrency,
                r.throughput,
                r.p50,
                r.p95,
                r.p99,
                r.target,
                r.mark,
            )
    if "postgresql" not in args.db or "h" not in args.only:
        table.add_row(
            "peer: django-helpdesk",
            "-",
            "-",
            "-",
            "-",
            "-",
            "-",
            "-",
            "Serval ≥ 3× faster",
            "not run (needs PostgreSQL and h in --only)",
        )
    console.print(table)
    if args.json:
        args.json.write_text(
            json.dumps(
                [{"rows": [r.__dict__ for r in o.rows], "facts": o.facts} for o in results],
                indent=1,
            )
        )


def _cleanup_servers() -> None:
    """Stop this database's server and cluster before the next database starts."""
    keep = CLEANUPS[:1]
    rest = CLEANUPS[1:]
    CLEANUPS[:] = rest
    _cleanup()
    CLEANUPS[:] = keep


if __name__ == "__main__":
    main()
