"""`serval …`: the operator's command line, a thin layer over Django management commands.

Subcommands with dashes map to commands with underscores (`verify-journal` → `verify_journal`);
anything else is passed to Django, so `serval makemigrations --check` works too.
"""

from __future__ import annotations

import os
import sys

ALIASES = {"verify-journal": "verify_journal", "bench-data": "bench_data"}

OVERVIEW = """\
Usage: serval <command> [options]        (serval help <command> for its options)

Running
  serve          serve the web UI and API with gunicorn, plus the task worker
  worker         run background tasks and periodic jobs (any number, on any machine)
  migrate        create or upgrade the database schema (safe on a live system)
  check          deployment checks with production settings (exit 1 on any warning)

Data and people
  demo           load demo data into an empty database and print the admin login
  createadmin    create an administrator (a random password is printed if none is given)
  token          create, revoke or list API tokens (`token create USER` prints only the token)
  verify-journal check the journal's hash chains for tampering

Every Django command works too: `serval help --commands` lists them all.
Configuration comes from SERVAL_* environment variables and DATABASE_URL (docs/configuration.md).
"""


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "serval.settings")
    if not args or args in (["help"], ["-h"], ["--help"]):
        import django
        from django.utils.translation import gettext

        django.setup()
        sys.stdout.write(gettext(OVERVIEW))
        return
    if args and args[0] == "check" and "--dev" not in args:
        # Deployment checks judge the production configuration, whatever this shell has set.
        os.environ["SERVAL_DEBUG"] = "0"
        os.environ["SERVAL_SECURE_SSL"] = "1"
        args = ["check", "--deploy", "--fail-level", "WARNING", *args[1:]]
    elif args and args[0] in ALIASES:
        args[0] = ALIASES[args[0]]
    from django.core.management import execute_from_command_line

    execute_from_command_line(["serval", *args])


if __name__ == "__main__":
    main()
