"""Wait until the task worker has run every task that is due, and print how long that took.

`run.py` calls it after the create scenario: each create queues follow-ups (notifications, SLA
checks), and a worker still busy with them would take CPU from the next scenarios, which are
meant to measure reads. Tasks scheduled for later (an SLA check at 75 % of a target) are not
due and not waited for. Run with the server's environment (DATABASE_URL, SERVAL_DATA_DIR).
"""

from __future__ import annotations

import json
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "serval.settings")


def main() -> None:
    import django

    django.setup()
    from django_tasks_db.models import DBTaskResult

    limit = float(sys.argv[1]) if len(sys.argv) > 1 else 300.0
    started = time.perf_counter()
    first = None
    while True:
        left = DBTaskResult.objects.ready().count() + DBTaskResult.objects.running().count()
        first = left if first is None else first
        waited = time.perf_counter() - started
        if not left or waited > limit:
            break
        time.sleep(0.25)
    json.dump({"seconds": round(waited, 2), "due_at_start": first, "left": left}, sys.stdout)


if __name__ == "__main__":
    main()
