"""Escalation: what an SLA definition does, besides the usual mails, when a clock reaches a level.

A definition's `escalation` is a list of rules, each
`{"at": 50 | 75 | 100, "action": "notify_manager" | "reassign", "team": <team id>}`:

- `notify_manager` adds the assignment group's manager to that level's mail (DOMAIN.md §2.5
  mails the manager from 75 % anyway; a rule at 50 % brings that forward);
- `reassign` moves the work item to `team` (its assignee is dropped unless a member), through
  `update_incident(system=True)`, so it is validated, journaled and notified like any
  reassignment — with no actor, i.e. by the system.

Reassignment runs as its own task (`escalate_sla`), after the level has fired, and records an
internal `sla_escalated` journal event under the item's lock first: running it twice does
nothing the second time.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from serval.core import journal
from serval.core.errors import PermissionDenied, ValidationFailed
from serval.core.models import JournalEvent

logger = logging.getLogger("serval.sla")
ACTIONS = ("notify_manager", "reassign")
LEVELS = (50, 75, 100)


def clean(value: Any, *, tenant: Any) -> list[dict[str, Any]]:
    """Validate escalation rules for a definition of `tenant`; raises ValidationFailed."""
    from serval.core.tenancy import reference_visible_in
    from serval.people.models import Team

    if value in (None, ""):
        return []
    if not isinstance(value, list) or len(value) > 10:
        raise ValidationFailed({"escalation": _("A list of at most 10 rules.")})
    rules: list[dict[str, Any]] = []
    for index, rule in enumerate(value):
        field = f"escalation.{index}"
        if not isinstance(rule, dict) or set(rule) - {"at", "action", "team"}:
            raise ValidationFailed({field: _('Like {"at": 75, "action": "reassign", "team": 3}.')})
        at, action = rule.get("at"), rule.get("action")
        if isinstance(at, bool) or at not in LEVELS:
            raise ValidationFailed({field: _("“at” is one of 50, 75 or 100.")})
        if action not in ACTIONS:
            raise ValidationFailed({field: _("“action” is notify_manager or reassign.")})
        clean_rule: dict[str, Any] = {"at": at, "action": action}
        if action == "reassign":
            team_id = rule.get("team")
            team = (
                Team.objects.select_related("tenant").filter(pk=team_id).first()
                if isinstance(team_id, int) and not isinstance(team_id, bool)
                else None
            )
            if team is None or not reference_visible_in(
                owner_tenant=team.tenant, shared=team.shared, target=tenant
            ):
                raise ValidationFailed({field: _("Unknown team.")})
            clean_rule["team"] = team.pk
        rules.append(clean_rule)
    return rules


def rules_at(definition: Any, level: int, action: str | None = None) -> list[dict[str, Any]]:
    return [
        rule
        for rule in (definition.escalation or [])
        if isinstance(rule, dict)
        and rule.get("at") == level
        and (action is None or rule.get("action") == action)
    ]


def schedule(clock: Any, fired: list[int]) -> None:
    """Enqueue the reassignments the levels just fired call for (in the firing transaction)."""
    from serval.sla.tasks import escalate_sla

    for level in fired:
        if rules_at(clock.definition, level, "reassign"):
            escalate_sla.enqueue(clock.pk, level)


def escalate(clock_id: int, level: int) -> int:
    """Apply the `reassign` rules of one fired level; returns how many were applied."""
    from serval.incidents import states as S
    from serval.incidents.actions import update_incident
    from serval.sla.models import SlaClock
    from serval.work import actions as work
    from serval.work.models import Kind, WorkItem

    clock = SlaClock.objects.select_related("definition").filter(pk=clock_id).first()
    if clock is None or clock.warned_level < level:
        return 0
    rules = rules_at(clock.definition, level, "reassign")
    if not rules:
        return 0
    applied = 0
    with transaction.atomic():
        item = work.lock(WorkItem(pk=clock.work_item_id))
        done = JournalEvent.objects.filter(
            subject_type="work_item",
            subject_id=item.pk,
            verb="sla_escalated",
            data__clock=clock.pk,
            data__level=level,
        ).exists()
        if done or item.kind != Kind.INCIDENT or item.state not in S.OPEN_STATES:
            return 0
        for rule in rules:
            team_id = rule["team"]
            journal.append(
                tenant=item.tenant_id,
                subject_type="work_item",
                subject_id=item.pk,
                verb="sla_escalated",
                actor=None,
                internal=True,
                data={
                    "clock": clock.pk,
                    "level": level,
                    "definition": clock.definition.name,
                    "action": "reassign",
                    "team": team_id,
                },
            )
            if item.assignment_group_id == team_id:
                continue
            try:
                with transaction.atomic():
                    item = update_incident(
                        actor=None, system=True, item=item, assignment_group=team_id
                    )
            except (ValidationFailed, PermissionDenied) as exc:
                logger.warning("escalation of %s to team %s refused: %s", item.pk, team_id, exc)
                continue
            applied += 1
    return applied
