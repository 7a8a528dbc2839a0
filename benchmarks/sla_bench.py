"""SLA benchmark: deadline computations per second, and the sweep over N running clocks.

    .venv/bin/python benchmarks/sla_bench.py            # 1,000,000 clocks (takes a while)
    .venv/bin/python benchmarks/sla_bench.py --quick    # 20,000 clocks
    DATABASE_URL=postgres://… .venv/bin/python benchmarks/sla_bench.py
    .venv/bin/python benchmarks/sla_bench.py --existing --json   # what `make bench` runs

With `--existing` the sweep reads the clocks already in the configured database (those
`serval bench-data` wrote: every incident's response and resolution clocks, ~40 % of them still
running) instead of filling a throwaway one — timed as the sweep will run an hour from now, so
it finds the clocks falling due within that hour — and `--json` prints the figures as one JSON
object for benchmarks/run.py (scenario 6).

1. Deadlines: `add_business_time` on a real calendar (Europe/Berlin, Bavarian holidays, two
   intervals a day: 08:00–12:00 and 13:00–17:00, Mon–Fri) for targets from 4 business hours to
   10 business days, from start instants spread over a year; also `business_seconds_between`.
2. Sweep: N running clocks in a throwaway database (SQLite in a temporary directory unless
   DATABASE_URL is set — then the tables are made in that database and dropped afterwards by
   Django's test-database machinery), about 0.1 % of them due; times the indexed query the
   periodic sweep runs (`serval.sla.engine.due_clock_ids`).
Targets are in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def bench_deadlines(count: int, *, quiet: bool = False) -> dict[str, float]:
    from serval.sla.calendars import (
        WEEKDAYS,
        CalendarSpec,
        add_business_time,
        business_seconds_between,
        week_from_json,
    )

    spec = CalendarSpec(
        time_zone="Europe/Berlin",
        week=week_from_json({d: [["08:00", "12:00"], ["13:00", "17:00"]] for d in WEEKDAYS[:5]}),
        country="DE",
        subdivision="BY",
    )
    rng = random.Random(42)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    starts = [base + timedelta(seconds=rng.randrange(365 * 86400)) for _ in range(count)]
    hours = [4, 8, 24, 40, 80]  # 4 bh … 10 bd on an 8-hour day
    durations = [rng.choice(hours) * 3600 for _ in range(count)]
    add_business_time(starts[0], 3600, spec)  # warm the holiday tables
    began = time.perf_counter()
    ends = [add_business_time(s, d, spec) for s, d in zip(starts, durations, strict=True)]
    took = time.perf_counter() - began
    deadlines = count / took
    began = time.perf_counter()
    for s, e in zip(starts, ends, strict=True):
        business_seconds_between(s, e, spec)
    elapsed = count / (time.perf_counter() - began)
    if not quiet:
        print(f"deadlines (add_business_time):        {deadlines:>12,.0f} per second")
        print(f"elapsed (business_seconds_between):   {elapsed:>12,.0f} per second")
    return {"deadlines_per_second": deadlines, "elapsed_per_second": elapsed}


def sweep_existing() -> dict[str, float]:
    """Time the periodic sweep's query over the clocks already in the configured database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "serval.settings")
    import django

    django.setup()
    from django.utils import timezone

    from serval.sla.engine import due_clock_ids
    from serval.sla.models import SlaClock, Stage

    # A worker that keeps up leaves nothing due now, so the sweep is timed as it will run an
    # hour from now: finding every clock whose next level falls due within that hour.
    now = timezone.now() + timedelta(hours=1)
    timings = []
    found = 0
    for _ in range(9):
        began = time.perf_counter()
        found = len(due_clock_ids(now=now, limit=5000))
        timings.append(time.perf_counter() - began)
    timings.sort()
    return {
        "clocks": SlaClock.objects.count(),
        "running": SlaClock.objects.filter(stage=Stage.IN_PROGRESS).count(),
        "due": found,
        "median_ms": timings[len(timings) // 2] * 1000,
        "best_ms": timings[0] * 1000,
        "worst_ms": timings[-1] * 1000,
    }


def bench_sweep(clocks: int) -> None:
    os.environ.setdefault("SERVAL_DATA_DIR", tempfile.mkdtemp(prefix="serval-sla-bench-"))
    os.environ.setdefault("SERVAL_SECURE_SSL", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "serval.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import get_runner, setup_test_environment

    setup_test_environment()
    runner = get_runner(settings)(verbosity=0, interactive=False)
    old = runner.setup_databases()
    try:
        _fill_and_sweep(clocks)
    finally:
        runner.teardown_databases(old)
        connection.close()


def _fill_and_sweep(clocks: int) -> None:
    from django.db import connection, transaction

    from serval.core.models import Tenant
    from serval.people.models import User
    from serval.sla.engine import due_clock_ids
    from serval.sla.models import SlaClock, SlaDefinition, Stage
    from serval.work.models import WorkItem

    tenant = Tenant.objects.order_by("pk").first() or Tenant.objects.create(
        name="Bench", slug="bench"
    )
    user = User.objects.create(username="bench", tenant=tenant, role="agent")
    definition = SlaDefinition.objects.filter(name="P3 resolution").first()
    assert definition is not None, "seed definitions missing"
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    rng = random.Random(7)
    batch = 20000
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # a throwaway database: durability is not the point
            cursor.execute("PRAGMA synchronous=OFF")
    print(f"filling {clocks:,} running clocks …", flush=True)
    began = time.perf_counter()
    made = 0
    while made < clocks:
        size = min(batch, clocks - made)
        with transaction.atomic():
            items = WorkItem.objects.bulk_create(
                [
                    WorkItem(
                        tenant=tenant,
                        kind="incident",
                        number=f"BEN-{made + i}",
                        title="bench",
                        state="in_progress",
                        caller=user,
                        opened_by=user,
                    )
                    for i in range(size)
                ]
            )
            rows = []
            for item in items:
                # ~0.1 % due now; the rest due within the next 30 days.
                due = rng.random() < 0.001
                offset = -rng.randrange(1, 3600) if due else rng.randrange(60, 30 * 86400)
                check = now + timedelta(seconds=offset)
                rows.append(
                    SlaClock(
                        tenant=tenant,
                        work_item=item,
                        definition=definition,
                        stage=Stage.IN_PROGRESS,
                        start_at=now - timedelta(days=1),
                        breach_at=check + timedelta(hours=10),
                        original_breach_at=check + timedelta(hours=10),
                        duration_seconds=definition.duration_seconds,
                        warned_level=0,
                        next_check_at=check,
                    )
                )
            SlaClock.objects.bulk_create(rows)
        made += size
    print(f"  filled in {time.perf_counter() - began:.1f} s", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE sla_slaclock")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    timings = []
    found = 0
    for _ in range(7):
        began = time.perf_counter()
        found = len(due_clock_ids(now=now, limit=5000))
        timings.append(time.perf_counter() - began)
    timings.sort()
    print(
        f"sweep of {clocks:,} running clocks:   found {found:,} due; "
        f"median {timings[len(timings) // 2] * 1000:.1f} ms, best {timings[0] * 1000:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="20,000 clocks instead of 1,000,000")
    parser.add_argument("--clocks", type=int, default=None)
    parser.add_argument("--deadlines", type=int, default=200_000)
    parser.add_argument("--existing", action="store_true", help="sweep the clocks already there")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    clocks = args.clocks or (20_000 if args.quick else 1_000_000)
    figures = bench_deadlines(args.deadlines if not args.quick else 50_000, quiet=args.json)
    if args.existing:
        figures.update(sweep_existing())
        if not args.json:
            print(
                f"sweep of {figures['running']:,.0f} running clocks ({figures['clocks']:,.0f} in "
                f"all): found {figures['due']:,.0f} due; median {figures['median_ms']:.1f} ms"
            )
    else:
        bench_sweep(clocks)
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
