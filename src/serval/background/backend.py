"""The task queue's backend: django-tasks-db's, with the row of each task written by a prebuilt
INSERT.

An incident create enqueues three tasks (its notification and a check at the first warning
instant of each SLA clock), and django-tasks-db writes each with `objects.create()`: the ORM
compiles an INSERT every time, ~0.5 ms of Python per task (benchmarks/README.md, issue 6).
`serval.core.rawrows.Inserter` writes the same row through the same fields and the same
`pre_save` receiver (which turns "no run_after" into the backend's far-future date), so the
queue, the worker and the admin see no difference; tests compare the rows both ways write.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Expression
from django_tasks_db.backend import DatabaseBackend as _DatabaseBackend
from django_tasks_db.compat import normalize_json
from django_tasks_db.models import DBTaskResult

from serval.core.rawrows import Inserter

_insert = Inserter(DBTaskResult)


class DatabaseBackend(_DatabaseBackend):
    """django-tasks-db's database backend; only the INSERT of an enqueued task differs."""

    def _task_to_db_task(self, task: Any, args: Any, kwargs: Any) -> DBTaskResult:
        result_id = self._get_id()
        if isinstance(result_id, Expression):  # an id the database makes: the ORM's INSERT
            return super()._task_to_db_task(task, args, kwargs)
        return _insert(
            DBTaskResult(
                id=result_id,
                args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
                priority=task.priority,
                task_path=task.module_path,
                queue_name=task.queue_name,
                run_after=task.run_after,
                backend_name=self.alias,
            )
        )
