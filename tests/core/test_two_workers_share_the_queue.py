"""Issue 3 "Two worker processes against one PostgreSQL must share the work without doing any
of it twice — show it in a test." Forty queued tasks each insert a row keyed by their own task
id (unique, so a second run would fail); two real `serval worker` processes drain the queue of
the test database, both taking part, and are stopped with SIGTERM once it is empty. On SQLite,
which serialises writers, one worker does the same.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from django.db import connection
from django.tasks import TaskContext, task
from django_tasks_db.models import DBTaskResult

from serval.sla.models import Notification
from tests.cli._processes import REPO, SERVAL, clean_env

TASKS = 40


@task(takes_context=True)
def record_run(context: TaskContext, n: int, workers: int) -> int:
    """Insert one row keyed by this task's id; the unique key makes a second run fail.

    With several workers, a task first waits (at most a minute) until another worker has
    claimed a task too — a rendezvous, so one fast worker cannot drain the queue before the
    other has started, and the test can require that both took part.
    """
    me = context.task_result.worker_ids[-1]
    deadline = time.monotonic() + 60
    while workers > 1 and time.monotonic() < deadline:
        claimed = (
            DBTaskResult.objects.filter(task_path=record_run.module_path)
            .exclude(status="READY")
            .values_list("worker_ids", flat=True)
        )
        if any(w != me for ids in claimed for w in ids):
            break
        time.sleep(0.05)
    Notification.objects.create(
        key=f"probe:{context.task_result.id}", address="probe@example.test", subject=str(n)
    )
    return os.getpid()


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "postgresql":
        host, port = s["HOST"] or "localhost", s["PORT"] or 5432
        return f"postgres://{s['USER']}:{s['PASSWORD']}@{host}:{port}/{s['NAME']}"
    return f"sqlite:///{s['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_every_task_runs_exactly_once(tmp_path: Path, settings):
    workers = 2 if connection.vendor == "postgresql" else 1
    ids = {str(record_run.enqueue(n, workers).id) for n in range(TASKS)}
    env = clean_env(
        tmp_path, DATABASE_URL=_database_url(), SERVAL_SECURE_SSL="0", SERVAL_DB_CONN_MAX_AGE="0"
    )
    # Not `--batch`: a batch worker exits the first time its SKIP LOCKED poll comes back empty,
    # which can happen transiently while the other worker holds the rows it is claiming; then
    # the survivor would wait out every rendezvous alone. Long-running workers keep polling;
    # the test stops them (SIGTERM, as an operator would) once every task has finished.
    procs = [
        subprocess.Popen(
            [*SERVAL, "worker", "--no-scheduler", "--interval", "0.1"]
            + ["--worker-id", f"w{i}", "-v0"],
            env=env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for i in range(workers)
    ]
    finished = DBTaskResult.objects.filter(
        task_path=record_run.module_path, status__in=["SUCCESSFUL", "FAILED"]
    )
    deadline = time.monotonic() + 150
    try:
        while finished.count() < TASKS and time.monotonic() < deadline:
            if any(p.poll() is not None for p in procs):
                break  # a worker died: stop waiting, its output says why
            time.sleep(0.2)
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        outputs = [p.communicate(timeout=60)[0] for p in procs]
    assert [p.returncode for p in procs] == [0] * workers, outputs

    results = DBTaskResult.objects.filter(task_path=record_run.module_path)
    assert {str(r.pk) for r in results} == ids
    assert {r.status for r in results} == {"SUCCESSFUL"}, [r.traceback for r in results]
    assert all(len(r.worker_ids) == 1 for r in results)  # claimed once, by one worker
    keys = sorted(
        Notification.objects.filter(key__startswith="probe:").values_list("key", flat=True)
    )
    assert keys == sorted(f"probe:{i}" for i in ids)  # each ran once: one row per task
    assert {w for r in results for w in r.worker_ids} == {f"w{i}" for i in range(workers)}
