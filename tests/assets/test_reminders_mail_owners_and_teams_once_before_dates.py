"""DOMAIN.md §2.8: N days before a warranty, lease, contract or end of support ends, the owners
and support teams of the CIs concerned are mailed — once per record, date and horizon, through
the real queue and a real SMTP server, respecting their notification preferences and tenants;
the upcoming-dates page and API show what is ahead and what was sent."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from serval.assets import actions as assets
from serval.assets import software
from serval.assets.models import LifecycleReminder
from serval.assets.tasks import SCHEDULE, remind_lifecycle_dates
from serval.core import scheduler
from serval.notifications.actions import set_preferences
from tests.cmdb.conftest import make_ci
from tests.notifications.conftest import inbox, run_queue  # noqa: F401  (fixture)


def _estate(world):
    today = timezone.localdate()
    server = make_ci(world.agent, "srv-1", owner=world.agent2, support_team=world.team)
    laptop = assets.create_asset(
        actor=world.agent,
        name="Rack server",
        asset_tag="A-1",
        ci=server,
        warranty_end=today + timedelta(days=25),
    )
    assets.create_contract(
        actor=world.agent,
        name="Care pack",
        vendor="HPE",
        end_date=today + timedelta(days=100),
        renewal_notice_days=30,
        covered_assets=[laptop],
    )
    product = software.create_product(actor=world.admin, vendor="PostgreSQL", name="Server")
    version = software.create_version(
        actor=world.admin, product=product, version="12", end_of_support=today + timedelta(days=5)
    )
    software.create_installation(actor=world.agent, ci=server, software_version=version)
    return server


def test_the_job_mails_owner_and_team_once_per_date_and_horizon(world, inbox, settings):  # noqa: F811
    _estate(world)
    set_preferences(actor=world.agent, user=world.agent, enabled={"lifecycle_reminder": False})
    [job] = SCHEDULE
    assert scheduler.enqueue_due(jobs=[job]) == ["assets.reminders"]
    run_queue()  # the job, then the mails it enqueued
    kinds = set(LifecycleReminder.objects.values_list("kind", "horizon"))
    assert kinds == {("warranty_end", 30), ("contract_notice", 90), ("end_of_support", 7)}
    # agent2 owns the CI; the manager is in its support team; alice switched these mails off.
    assert inbox.addresses() == sorted([world.agent2.email, world.manager.email] * 3)
    subjects = sorted(r.subject for r in inbox.to(world.manager.email))
    assert any(s.startswith("Warranty ends in 25 days: Rack server (A-1)") for s in subjects)
    assert any("End of support in 5 days: PostgreSQL Server 12" in s for s in subjects)
    assert any("Last day to give contract notice in 70 days: Care pack" in s for s in subjects)
    body = inbox.to(world.agent2.email)[0].text()
    assert "srv-1" in body and "/assets/" in body
    inbox.received.clear()
    remind_lifecycle_dates.enqueue()  # the next run: nothing new is due
    run_queue()
    assert inbox.received == [] and LifecycleReminder.objects.count() == 3


def test_a_nearer_horizon_reminds_again_and_a_new_date_counts_anew(world, inbox):  # noqa: F811
    from serval.assets.reminders import record_due

    _estate(world)
    today = timezone.localdate()
    assert len(record_due(today=today)) == 3
    assert record_due(today=today) == []
    later = record_due(today=today + timedelta(days=20))  # warranty 5 days off: the 7-day one
    assert {(r.kind, r.horizon) for r in later} == {("warranty_end", 7), ("contract_end", 90)}
    asset = LifecycleReminder.objects.filter(kind="warranty_end").first()
    assets.update_asset(
        actor=world.agent,
        asset=assets_model(asset.subject_id),
        warranty_end=today + timedelta(days=28),
    )
    renewed = record_due(today=today)
    assert [(r.kind, r.horizon, r.due_date) for r in renewed] == [
        ("warranty_end", 30, today + timedelta(days=28))
    ]


def assets_model(pk):
    from serval.assets.models import Asset

    return Asset.objects.get(pk=pk)


def test_without_owners_the_tenants_managers_hear_and_other_tenants_never(world, inbox):  # noqa: F811
    today = timezone.localdate()
    assets.create_asset(actor=world.agent, name="Spare", warranty_end=today + timedelta(days=3))
    theirs = make_ci(world.outsider_agent, "their-srv", support_team=world.outsider_team)
    assets.create_asset(
        actor=world.outsider_agent, name="Theirs", ci=theirs, warranty_end=today + timedelta(days=3)
    )
    remind_lifecycle_dates.enqueue()
    run_queue()
    assert inbox.addresses() == sorted([world.manager.email, world.outsider_agent.email])
    assert "Theirs" in inbox.to(world.outsider_agent.email)[0].subject
    assert "Spare" in inbox.to(world.manager.email)[0].subject


def test_the_upcoming_dates_page_and_api_show_what_was_sent(world, inbox, api_as):  # noqa: F811
    _estate(world)
    client = Client()
    client.force_login(world.agent)
    html = client.get("/assets/reminders/").content.decode()
    assert "Rack server (A-1)" in html and "30-day reminder due" in html
    remind_lifecycle_dates.enqueue()
    run_queue()
    html = client.get("/assets/reminders/?kind=warranty_end").content.decode()
    assert "30-day reminder sent" in html and "Care pack" not in html
    body = api_as(world.agent).get("assets/reminders?within=365").json()
    kinds = [i["kind"] for i in body["items"]]
    assert kinds == ["end_of_support", "warranty_end", "contract_notice", "contract_end"]
    assert body["items"][0]["reminder_sent_at"] is not None
    assert body["items"][3]["horizon"] is None  # 100 days away: not yet
    assert api_as(world.outsider_agent).get("assets/reminders?within=365").json()["items"] == []
    client.force_login(world.requester)
    assert client.get("/assets/reminders/").status_code == 404
