"""`serval …`: the operator's command line, a thin layer over Django management commands.

Subcommands with dashes map to commands with underscores (`verify-journal` → `verify_journal`);
anything else is passed to Django, so `serval makemigrations --check` works too.
"""

from __future__ import annotations

import os
import sys

ALIASES = {"verify-journal": "verify_journal", "bench-data": "bench_data"}


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "serval.settings")
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
