"""The built-in CI class tree and relationship types (DOMAIN.md §2.7, §3.5), as data.

Used by data migration 0002 (with the historical models) and by `ensure_seed` wherever a flushed
test database needs them back. Seeding is idempotent: existing rows are left as they are.
"""

from __future__ import annotations

from typing import Any


def _f(name: str, type_: str, required: bool = False, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, "required": required, **extra}


# (name, label, parent, schema)
CLASSES: list[tuple[str, str, str | None, list[dict[str, Any]]]] = [
    ("hardware", "Hardware", None, [_f("model", "string"), _f("manufacturer", "string")]),
    (
        "server",
        "Server",
        "hardware",
        [_f("cpu_count", "int"), _f("ram_mb", "int"), _f("os", "string"), _f("virtual", "bool")],
    ),
    ("computer", "Computer", "hardware", [_f("os", "string")]),
    ("network_gear", "Network gear", "hardware", [_f("ports", "int")]),
    ("storage", "Storage", "hardware", [_f("capacity_gb", "int")]),
    ("software", "Software", None, [_f("publisher", "string")]),
    ("app_server", "Application server", "software", [_f("port", "int")]),
    (
        "db_instance",
        "Database instance",
        "software",
        [
            _f(
                "engine",
                "choice",
                choices=["postgresql", "mysql", "mariadb", "oracle", "mssql", "sqlite", "other"],
            ),
            _f("port", "int"),
        ],
    ),
    (
        "cloud_resource",
        "Cloud resource",
        None,
        [
            _f("provider", "choice", choices=["aws", "azure", "gcp", "other"]),
            _f("region", "string"),
        ],
    ),
    ("business_application", "Business application", None, [_f("go_live", "date")]),
    ("service_instance", "Service instance", None, []),
    ("business_service", "Business service", None, []),
    ("technology_service", "Technology service", None, []),
    ("service_offering", "Service offering", None, []),
    (
        "digital_interface",
        "Digital interface",
        None,
        [
            _f("protocol", "string"),
            _f("message_format", "string"),
            _f("auth_type", "string"),
            _f("exposure", "choice", choices=["open", "partner", "internal"]),
        ],
    ),
    (
        "digital_integration",
        "Digital integration",
        None,
        [
            _f("direction", "choice", choices=["inbound", "outbound", "bidirectional"]),
            _f("integration_type", "choice", choices=["data", "process", "ui"]),
        ],
    ),
    ("location", "Location", None, [_f("address", "string")]),
]

# (name, label, reverse label, is_dependency, single_parent)
RELATIONSHIP_TYPES: list[tuple[str, str, str, bool, bool]] = [
    ("depends_on", "Depends on", "Used by", True, False),
    ("runs_on", "Runs on", "Runs", True, False),
    ("hosted_on", "Hosted on", "Hosts", True, False),
    ("connects_to", "Connects to", "Connected by", False, False),
    ("contains", "Contains", "Contained by", True, True),
    ("members", "Members", "Member of", True, False),
    ("manages", "Manages", "Managed by", False, False),
    ("owns", "Owns", "Owned by", False, False),
    ("defines_resources_for", "Defines resources for", "Gets resources from", False, False),
]


def seed(ci_class: Any, relationship_type: Any) -> None:
    """Create missing built-in classes (tenant-less, so every tenant sees them) and types."""
    made: dict[str, Any] = {}
    for name, label, parent, schema in CLASSES:
        obj = ci_class.objects.filter(tenant__isnull=True, name=name).first()
        if obj is None:
            obj = ci_class.objects.create(
                tenant=None, name=name, label=label, parent=made.get(parent or ""), schema=schema
            )
        made[name] = obj
    for name, label, reverse, dependency, single in RELATIONSHIP_TYPES:
        relationship_type.objects.get_or_create(
            name=name,
            defaults={
                "label": label,
                "reverse_label": reverse,
                "is_dependency": dependency,
                "single_parent": single,
            },
        )


def ensure_seed() -> None:
    from serval.cmdb.models import CIClass, RelationshipType

    seed(CIClass, RelationshipType)
