"""Who may change the CMDB, and the journal call every CMDB action makes."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from serval.cmdb.models import (
    CIClass,
)
from serval.core import journal
from serval.core.errors import (
    PermissionDenied,
)
from serval.core.tenancy import reach
from serval.people.models import User

# --- permissions ------------------------------------------------------------------------------


def can_edit_cis(actor: User, tenant_id: int) -> bool:
    return actor.is_agent and tenant_id in reach(actor)


def require_agent(actor: User, tenant_id: int) -> None:
    if not can_edit_cis(actor, tenant_id):
        raise PermissionDenied(_("Only agents of its tenant can change the CMDB."))


def ensure_can_edit(actor: User, tenant_id: int) -> None:
    """For adapters that batch actions (imports): refuse before reading any input."""
    require_agent(actor, tenant_id)


def is_root_admin(actor: User) -> bool:
    return actor.is_admin and actor.tenant.parent_id is None


def can_edit_class(actor: User, ci_class: CIClass | None, tenant_id: int | None) -> bool:
    if not actor.is_admin:
        return False
    if tenant_id is None:
        return is_root_admin(actor)
    return tenant_id in reach(actor)


def record(*, tenant: int, subject: str, pk: int, verb: str, actor: Any, data: Any) -> None:
    journal.append(
        tenant=tenant, subject_type=subject, subject_id=pk, verb=verb, actor=actor, data=data
    )
