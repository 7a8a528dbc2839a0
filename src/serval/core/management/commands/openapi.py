"""`serval openapi`: write the OpenAPI document committed as docs/openapi.json."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


def openapi_document() -> str:
    """The schema as stable, diff-friendly JSON (sorted keys, two-space indent, final newline)."""
    from serval.api.urls import api

    # Round-trip first: ninja keys responses by int status codes, which sort_keys cannot mix
    # with the string keys JSON ends up with anyway.
    schema = json.loads(json.dumps(api.get_openapi_schema()))
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = "Print the OpenAPI document of /api/v1/ (or write it with --output)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", help="Write to this file instead of stdout.")

    def handle(self, *args: Any, **options: Any) -> None:
        text = openapi_document()
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as fh:
                fh.write(text)
            self.stderr.write(f"Wrote {options['output']}")
        else:
            self.stdout.write(text, ending="")
