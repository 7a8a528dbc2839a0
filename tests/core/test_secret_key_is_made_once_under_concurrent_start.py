"""A fresh install may start several processes at once (web workers and the task worker): they
must all end up with the same generated secret key, and none may crash making it."""

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.cli._processes import REPO

# Each process waits for a common instant before loading the settings, so they all look for
# the key at the same moment: the race this test is about.
PROBE = (
    "import os, sys, time, tempfile, dj_database_url, django.utils.csp, "
    "django.core.management.utils; "
    "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'serval.settings'); "
    "time.sleep(max(0, float(sys.argv[1]) - time.time())); "
    "from serval import settings; print(settings.SECRET_KEY)"
)


def test_sixteen_processes_on_a_fresh_data_dir_share_one_key(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SERVAL_", "DATABASE_URL"))}
    env.update(SERVAL_DATA_DIR=str(tmp_path / "var"), SERVAL_SECURE_SSL="0")
    start = time.time() + 2
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", PROBE, str(start)],
            env=env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(16)
    ]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 16, [err for _, err in results]
    keys = {out.strip() for out, _ in results}
    assert len(keys) == 1 and len(keys.pop()) >= 50
    assert sorted(p.name for p in (tmp_path / "var").iterdir()) == ["secret_key", "static"]
