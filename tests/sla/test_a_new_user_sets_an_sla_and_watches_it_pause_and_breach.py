"""Issue 3, "Done means", as one journey through the pages: an administrator sets a calendar and
an SLA, an agent logs an incident and sees its clock, puts it on hold awaiting the caller and
sees the clock pause, the caller's reply resumes it, it breaches, and the breach e-mail arrives
over a real SMTP server. Runs on both databases like the rest of the suite."""

from __future__ import annotations

from django.test import Client

from serval.sla.models import BusinessCalendar, SlaClock, SlaDefinition
from serval.work.models import WorkItem
from tests.notifications.conftest import inbox, run_queue  # noqa: F401 - fixture
from tests.sla.conftest import frozen  # noqa: F401 - fixture

NAME = "Payroll resolution"


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _admin_sets_calendar_and_sla(world) -> SlaDefinition:
    admin = _login(world.admin)
    week = {f"week_{d}": "08:00-17:00" for d in ("mon", "tue", "wed", "thu", "fri")}
    response = admin.post(
        "/sla/calendars/new",
        {"name": "Payroll desk", "time_zone": "UTC", "week_sat": "", "week_sun": "", **week},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    calendar = BusinessCalendar.objects.get(name="Payroll desk")
    response = admin.post(
        "/sla/definitions/new",
        {
            "name": NAME,
            "type": "sla",
            "target": "resolution",
            "amount": "2",
            "unit": "hours",
            "calendar": str(calendar.pk),
            "time_zone_source": "definition",
            "active": "on",
            "cond_start_0_field": "service",
            "cond_start_0_op": "eq",
            "cond_start_0_value": "Payroll",
            "cond_pause_0_field": "hold_reason",
            "cond_pause_0_op": "eq",
            "cond_pause_0_value": "awaiting_caller",
            "cond_stop_0_field": "state",
            "cond_stop_0_op": "in",
            "cond_stop_0_value": "resolved, closed, cancelled",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return SlaDefinition.objects.get(name=NAME)


def _clock(item) -> SlaClock:
    return SlaClock.objects.get(work_item=item, definition__name=NAME)


def test_set_watch_pause_resume_breach_and_mail(world, frozen, inbox):  # noqa: F811
    # Wednesday 10:00 UTC, inside the 08:00-17:00 working day.
    _admin_sets_calendar_and_sla(world)

    agent = _login(world.agent)
    response = agent.post(
        "/incidents/new",
        {
            "title": "Payslips show last month",
            "description": "Since the run this morning.",
            "impact": "2",
            "urgency": "2",
            "caller": world.requester.username,
            "assignment_group": str(world.team.pk),
            "assignee": str(world.agent.pk),
            "service": "Payroll",
            "channel": "phone",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    item = WorkItem.objects.get(title="Payslips show last month")
    clock = _clock(item)
    assert clock.stage == "in_progress"
    assert clock.breach_at == frozen.now.replace(hour=12)  # two working hours
    page = agent.get(f"/incidents/{item.number}/").content.decode()
    assert NAME in page and "data-deadline" in page

    # 30 minutes in, the agent asks the caller and waits: the clock pauses.
    frozen.advance(minutes=30)
    response = agent.post(
        f"/incidents/{item.number}/transition",
        {
            "to": "on_hold",
            "version": str(WorkItem.objects.get(pk=item.pk).version),
            "hold_reason": "awaiting_caller",
            "comment": "Which payslip month do you see?",
        },
    )
    assert response.status_code == 302
    assert _clock(item).stage == "paused"
    assert "paused" in agent.get(f"/incidents/{item.number}/").content.decode().lower()

    # Five hours of waiting cost nothing; the caller's reply resumes the clock.
    frozen.advance(hours=5)
    run_queue()
    assert not _clock(item).has_breached
    caller = _login(world.requester)
    response = caller.post(f"/incidents/{item.number}/comment", {"body": "It shows May."})
    assert response.status_code in (200, 302)
    clock = _clock(item)
    assert clock.stage == "in_progress"
    assert clock.breach_at == frozen.now.replace(hour=17, minute=0)  # 90 working minutes left

    # Nobody acts; past the deadline the clock breaches and the assignee is mailed.
    frozen.advance(hours=2)
    run_queue()
    run_queue()
    clock = _clock(item)
    assert clock.has_breached
    breach_mails = [m for m in inbox.to(world.agent.email) if "breach" in m.subject.lower()]
    assert breach_mails, [m.subject for m in inbox.received]
    assert breach_mails[0].subject.startswith(f"[{item.number}]")
