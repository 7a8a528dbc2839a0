"""Warnings and breaches are mailed over SMTP to the people DOMAIN.md §2.5 [47] names, with a
text and an HTML part, the `[INC-…]` subject tag and `Auto-Submitted: auto-generated`; a
retried task sends nothing twice.
"""

from __future__ import annotations

from datetime import timedelta

from serval.incidents.actions import update_incident
from serval.sla.engine import check_clock
from serval.sla.tasks import notify_sla
from serval.work.actions import set_watching
from tests import factories as f
from tests.sla.conftest import clock
from tests.sla.smtp import smtp  # noqa: F401 - fixture


def test_fifty_percent_goes_to_the_assignee_only(world, frozen, smtp):  # noqa: F811
    item = f.make_incident(world.agent, impact=1, urgency=1, assignment_group=world.team.pk)
    update_incident(actor=world.agent, item=item, assignee=world.agent.pk)
    resolution = clock(item, "resolution")
    check_clock(resolution.pk, now=resolution.start_at + timedelta(hours=2))
    assert notify_sla.call(resolution.pk, 50) == 1
    [mail] = smtp.messages
    assert world.agent.email in mail["To"]
    assert mail["Subject"].startswith(f"[{item.number}] SLA warning: 50%")
    assert mail["Auto-Submitted"] == "auto-generated"
    kinds = {part.get_content_type() for part in mail.walk()}
    assert {"text/plain", "text/html"} <= kinds


def test_breach_goes_to_assignee_manager_and_watchers_once(world, frozen, smtp):  # noqa: F811
    item = f.make_incident(world.agent, impact=1, urgency=1, assignment_group=world.team.pk)
    update_incident(actor=world.agent, item=item, assignee=world.agent.pk)
    set_watching(item=item, actor=world.agent2, user=world.agent2, watching=True)
    resolution = clock(item, "resolution")
    check_clock(resolution.pk, now=resolution.start_at + timedelta(hours=4))
    assert notify_sla.call(resolution.pk, 100) == 3
    assert notify_sla.call(resolution.pk, 100) == 0
    addresses = sorted(str(m["To"]) for m in smtp.messages)
    expected = sorted([world.agent.email, world.manager.email, world.agent2.email])
    assert addresses == expected
    body = smtp.to(world.manager.email)[0].get_body(preferencelist=("plain",)).get_content()
    assert item.number in body and "missed" in body
