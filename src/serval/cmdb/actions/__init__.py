"""Actions on the CMDB: every write to classes, CIs, relationships and service links.

Agents of a CI's tenant maintain CIs, relationships and service links; administrators maintain
classes (built-in classes only the operator: an administrator of a root tenant). Each action
checks, validates, writes and journals in one transaction — subjects "ci_class", "ci",
"ci_relationship" — and relationship and link changes are also journaled on both ends, so a
CI's own history shows them (DOMAIN.md §2.7, ISO 20000 8.2.6).

One module per concept; callers use this package (`from serval.cmdb import actions`).
"""

from __future__ import annotations

from serval.cmdb.actions.cis import (
    CI_FIELDS,
    IDENTIFIER_LABELS,
    create_ci,
    delete_ci,
    update_ci,
)
from serval.cmdb.actions.classes import create_class, update_class
from serval.cmdb.actions.permissions import can_edit_cis, can_edit_class, ensure_can_edit
from serval.cmdb.actions.relationships import create_relationship, delete_relationship
from serval.cmdb.actions.service_links import link_service, unlink_service

__all__ = [
    "CI_FIELDS",
    "IDENTIFIER_LABELS",
    "can_edit_cis",
    "can_edit_class",
    "create_ci",
    "create_class",
    "create_relationship",
    "delete_ci",
    "delete_relationship",
    "ensure_can_edit",
    "link_service",
    "unlink_service",
    "update_ci",
    "update_class",
]
