"""`serval serve`: the web application under gunicorn, plus (by default) the task worker.

This process is a small supervisor: it starts gunicorn and, in the embedded default, one
`serval worker` as child processes in their own process groups, restarts the worker if it dies,
and on SIGTERM or SIGINT asks both to stop gracefully. Keeping gunicorn out of this process
means gunicorn's own child reaping never touches the worker (DESIGN.md §2 rule 4, §5).
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

STOP_GRACE = 30  # seconds gunicorn and the worker get to finish what they are doing
READY_WAIT = 30  # seconds to wait for the port to accept connections before giving up
RESTART_BACKOFF = 5


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


def _die_with_parent() -> None:
    """Runs in the child before exec: get SIGTERM if the supervisor is killed outright."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _background_child() -> None:
    """Runs in the task worker before exec: as `_die_with_parent`, and yield the CPU to the web
    workers. Follow-ups (mails, SLA checks) can wait a moment; a person waiting for a page cannot.
    Under load the worker still gets a share (the kernel weighs, it does not starve), and it
    catches up as soon as the requests let up."""
    _die_with_parent()
    if settings.EMBEDDED_WORKER_NICE:
        os.nice(settings.EMBEDDED_WORKER_NICE)


class Command(BaseCommand):
    help = _(
        "Serve the web UI and API with gunicorn (a production-grade server) and, unless "
        "SERVAL_EMBEDDED_WORKER=0 or --no-worker, run the task worker beside it. "
        "Static files are served by the app itself (WhiteNoise); no collectstatic is needed."
    )
    requires_system_checks: list[str] = []  # `serval check` runs them; start fast instead

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host", default="127.0.0.1", help=_("Address to listen on (default: %(default)s).")
        )
        parser.add_argument(
            "--port", type=_positive, default=8000, help=_("Port (default: %(default)s).")
        )
        parser.add_argument(
            "--workers",
            type=_positive,
            default=settings.WEB_WORKERS,
            help=_("Web worker processes (default: SERVAL_WEB_WORKERS, now %(default)s)."),
        )
        parser.add_argument(
            "--threads",
            type=_positive,
            default=settings.WEB_THREADS,
            help=_("Threads per web worker (default: SERVAL_WEB_THREADS, now %(default)s)."),
        )
        parser.add_argument(
            "--timeout",
            type=_positive,
            default=settings.WEB_TIMEOUT,
            help=_(
                "Seconds before a silent web worker is restarted "
                "(default: SERVAL_WEB_TIMEOUT, now %(default)s)."
            ),
        )
        parser.add_argument(
            "--access-log",
            action="store_true",
            help=_("Log every request to standard output (off by default)."),
        )
        worker = parser.add_mutually_exclusive_group()
        worker.add_argument(
            "--worker",
            dest="embedded_worker",
            action="store_true",
            default=settings.EMBEDDED_WORKER,
            help=_("Also run the task worker (default unless SERVAL_EMBEDDED_WORKER=0)."),
        )
        worker.add_argument(
            "--no-worker",
            dest="embedded_worker",
            action="store_false",
            help=_("Do not run the task worker; run `serval worker` separately."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        self._check_port_free(host, port)
        self.stopping = 0
        self.gunicorn = self._start(self._gunicorn_command(options))
        self.worker: subprocess.Popen[bytes] | None = None
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self._on_signal)
        try:
            # While gunicorn imports the application: the migration check, then (once the web
            # side answers, so the two do not compete for the CPU at start) the task worker.
            self._warn_unapplied_migrations()
            ready = self._wait_ready(host, port)
            if options["embedded_worker"] and not self.stopping:
                self.worker = self._start_worker()
            if ready:
                self._announce(host, port, options)
            code = self._supervise()
        finally:
            self._stop_children()
        if code:
            raise CommandError(_("The web server exited with status %(code)s.") % {"code": code})

    # --- children -------------------------------------------------------------------------

    def _gunicorn_command(self, options: dict[str, Any]) -> list[str]:
        host = options["host"]
        bind = f"[{host}]:{options['port']}" if ":" in host else f"{host}:{options['port']}"
        cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            "serval.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(options["workers"]),
            "--threads",
            str(options["threads"]),
            "--worker-class",
            "gthread",
            "--timeout",
            str(options["timeout"]),
            "--keep-alive",
            str(settings.WEB_KEEPALIVE),
            "--graceful-timeout",
            str(STOP_GRACE - 5),
            "--no-control-socket",
            # Import the application once in the master (serval/wsgi.py loads the URLconf too)
            # and fork ready workers: start-up is one import instead of one per worker.
            "--preload",
            "--log-level",
            "info" if options["verbosity"] > 1 else "warning",
            "--error-logfile",
            "-",
        ]
        if options["access_log"]:
            cmd += ["--access-logfile", "-"]
        if os.path.isdir("/dev/shm"):
            cmd += ["--worker-tmp-dir", "/dev/shm"]
        return cmd

    def _start(self, cmd: list[str], preexec: Any = _die_with_parent) -> subprocess.Popen[bytes]:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "serval.settings"}
        # Own process group: a terminal's Ctrl+C reaches only this supervisor, which then stops
        # the children in order instead of them all receiving SIGINT at once.
        return subprocess.Popen(cmd, env=env, process_group=0, preexec_fn=preexec)

    def _start_worker(self) -> subprocess.Popen[bytes]:
        return self._start([sys.executable, "-m", "serval.cli", "worker"], _background_child)

    def _on_signal(self, signum: int, frame: object) -> None:
        if self.stopping:
            for proc in (self.gunicorn, self.worker):
                if proc is not None and proc.poll() is None:
                    proc.kill()
        self.stopping = signum

    def _supervise(self) -> int:
        """Wait for a stop signal; restart the worker if it dies; stop if gunicorn dies."""
        last_restart = 0.0
        while not self.stopping:
            code = self.gunicorn.poll()
            if code is not None:
                return code
            if self.worker is not None and self.worker.poll() is not None:
                if time.monotonic() - last_restart >= RESTART_BACKOFF:
                    self.stderr.write(
                        _("The task worker exited (status %(code)s); restarting it.")
                        % {"code": self.worker.returncode}
                    )
                    self.worker = self._start_worker()
                    last_restart = time.monotonic()
            time.sleep(0.2)
        return 0

    def _stop_children(self) -> None:
        children = [p for p in (self.gunicorn, getattr(self, "worker", None)) if p is not None]
        for proc in children:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        for proc in children:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self.stopping:
            self.stdout.write(_("Serval stopped."))

    # --- start-up helpers -----------------------------------------------------------------

    def _check_port_free(self, host: str, port: int) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError as exc:
                raise CommandError(
                    _("Cannot listen on %(host)s:%(port)s: %(error)s")
                    % {"host": host, "port": port, "error": exc.strerror}
                ) from exc

    def _wait_ready(self, host: str, port: int) -> bool:
        """True once the port accepts connections, even if a stop signal came first.

        The migration check runs while gunicorn starts and can outlast it, so a client may
        already have been served (and sent SIGTERM) before we look: one connection attempt
        is always made, so the address is still announced whenever the server did run.
        """
        target = "127.0.0.1" if host in ("0.0.0.0", "") else "::1" if host == "::" else host
        deadline = time.monotonic() + READY_WAIT
        while True:
            if self.gunicorn.poll() is not None:
                return False
            try:
                with socket.create_connection((target, port), timeout=0.5):
                    return True
            except OSError:
                pass
            if self.stopping or time.monotonic() >= deadline:
                return False
            time.sleep(0.05)

    def _announce(self, host: str, port: int, options: dict[str, Any]) -> None:
        shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        shown = f"[{shown}]" if ":" in shown else shown
        worker = (
            _("with the task worker")
            if options["embedded_worker"]
            else _("without a task worker (run `serval worker`)")
        )
        self.stdout.write(
            self.style.SUCCESS(
                _("Serval is running on http://%(host)s:%(port)s/") % {"host": shown, "port": port}
            )
        )
        self.stdout.write(
            _("%(workers)s web workers × %(threads)s threads, %(worker)s. Press Ctrl+C to stop.")
            % {"workers": options["workers"], "threads": options["threads"], "worker": worker}
        )
        self.stdout.flush()

    def _warn_unapplied_migrations(self) -> None:
        from django.db import DEFAULT_DB_ALIAS, connections
        from django.db.migrations.executor import MigrationExecutor

        try:
            executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except Exception as exc:  # the database may be unreachable; gunicorn will say so too
            self.stderr.write(_("Could not read the migration state: %(error)s") % {"error": exc})
            return
        finally:
            connections.close_all()
        if plan:
            self.stderr.write(
                self.style.WARNING(
                    _("The database has %(count)s unapplied migrations: run `serval migrate`.")
                    % {"count": len(plan)}
                )
            )
