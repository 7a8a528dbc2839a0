"""STYLE.md rule 12: the OpenAPI document is a reviewed artifact; a change to the API shows up as
a diff of docs/openapi.json. Regenerate with `make openapi`."""

from pathlib import Path

from serval.core.management.commands.openapi import openapi_document

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_committed_openapi_matches_the_code():
    assert COMMITTED.exists(), "docs/openapi.json is missing: run `make openapi`"
    assert COMMITTED.read_text(encoding="utf-8") == openapi_document(), (
        "The API changed: run `make openapi` and commit docs/openapi.json"
    )


def test_every_operation_is_documented_with_its_parameters():
    import json

    schema = json.loads(openapi_document())
    assert schema["openapi"].startswith("3.1")
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary"), f"{method.upper()} {path} has no summary"
            assert "responses" in operation and operation["responses"], f"{method} {path}"
