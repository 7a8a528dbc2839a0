"""Issue 5, in Chromium: an agent raises a normal change on a server, links the CI, requests
approval and sees the state and the timeline; then a standard change from an approved template
goes to Closed with its task done. No CSP violation and no JavaScript error on any page
(SECURITY-REFERENCE B5). Screenshots go to test-artifacts/.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tests.browser.chromium import (
    ARGS,
    ARTIFACTS,
    CHROMIUM,
    PASSWORD,
    sign_in,
    watched_page,
)
from tests.cmdb.conftest import _seeded  # noqa: F401  (autouse: the CI classes)


def _data():
    from serval.changes import standard
    from serval.core.models import Tenant
    from serval.people import actions as people
    from tests.cmdb.conftest import make_ci

    tenant = Tenant.objects.order_by("pk").first() or Tenant.objects.create(
        name="Browser test", slug="browser-test"
    )
    agent = people.create_user(
        actor=None,
        username="alice",
        tenant=tenant,
        role="agent",
        password=PASSWORD,
        first_name="Alice",
        last_name="Novak",
    )
    manager = people.create_user(
        actor=None, username="mona", tenant=tenant, role="manager", password=PASSWORD
    )
    team = people.create_team(
        actor=None, tenant=tenant, name="Service Desk", members=[agent, manager]
    )
    make_ci(agent, "srv-db-01")
    template = standard.create_template(
        actor=agent,
        name="Rotate the web certificates",
        title="Rotate the TLS certificates of the web tier",
        implementation_plan="Issue, install, reload nginx.",
        backout_plan="Reinstall the previous certificates.",
        assignment_group=team.pk,
        tasks=[{"title": "Reload nginx on every node"}],
    )
    standard.approve_template(actor=manager, template=template)


def _local(days: int, hour: int) -> str:
    moment = (timezone.localtime() + timedelta(days=days)).replace(hour=hour, minute=0)
    return moment.strftime("%Y-%m-%dT%H:%M")


@pytest.mark.browser
def test_agent_raises_a_normal_change_and_closes_a_standard_one(live_server):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; install it or set SERVAL_CHROMIUM.")
    from playwright.sync_api import expect, sync_playwright

    _data()
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = watched_page(browser, problems)

            sign_in(page, live_server.url, "alice")
            expect(page.get_by_role("heading", name="My work")).to_be_visible()

            # The main nav leads to the change list, empty at first.
            page.locator('a[data-nav="changes"]').click()
            expect(page.get_by_role("heading", name="Changes", exact=True)).to_be_visible()
            expect(page.locator("#results")).to_contain_text("No open changes")

            # Raise a normal change.
            page.get_by_role("link", name="New change").first.click()
            page.get_by_label("Short description").fill("Patch the payroll database server")
            page.get_by_label("Justification").fill("Critical security fixes.")
            page.get_by_label("Implementation plan").fill("Apply the patch and reboot.")
            page.get_by_label("Backout plan").fill("Restore last night's snapshot.")
            page.get_by_label("Planned start").fill(_local(10, 22))
            page.get_by_label("Planned end").fill(_local(10, 23))
            page.get_by_label("Assignment group").select_option(label="Service Desk")
            page.get_by_role("button", name="Create change").click()
            expect(page.locator("h1.change-title")).to_have_text(
                "Patch the payroll database server"
            )
            header = page.locator(".change-header")
            expect(header.locator(".state-badge")).to_contain_text("New")
            expect(header.locator(".type-badge")).to_contain_text("Normal")
            timeline = page.locator("#timeline")
            expect(timeline).to_contain_text("created the change")

            # Link the affected CI.
            impact = page.locator("#impact")
            field = impact.get_by_label("Add an affected CI")
            field.click()  # the first suggestions arrive on focus
            expect(impact.locator("#impact-ci-options option[value^='srv-db-01 #']")).to_have_count(
                1
            )
            field.fill("srv-db-01")  # a unique name is enough
            impact.get_by_role("button", name="Link").first.click()
            expect(page.locator("[data-linked-cis]")).to_contain_text("srv-db-01")
            expect(timeline).to_contain_text("linked the CI srv-db-01")

            # Request approval: no policy applies, so the change manager is asked.
            page.locator('button[data-transition="assess"]').click()
            expect(header.locator(".state-badge")).not_to_contain_text("New")
            expect(timeline).to_contain_text("moved it from New to")
            page.screenshot(path=str(ARTIFACTS / "change-requested.png"), full_page=True)
            problems += page.evaluate("window.__cspViolations")

            # A standard change from the approved template, through to Closed.
            page.goto(f"{live_server.url}/changes/new")
            page.get_by_label("Or a standard change from a template").select_option(
                label="Rotate the web certificates"
            )
            page.get_by_role("button", name="Use template").click()
            expect(page.get_by_label("Implementation plan")).to_have_value(
                "Issue, install, reload nginx."
            )
            page.get_by_label("Planned start").fill(_local(5, 21))
            page.get_by_label("Planned end").fill(_local(5, 22))
            page.get_by_role("button", name="Create change").click()
            expect(header.locator(".type-badge")).to_contain_text("Standard")
            expect(page.locator("[data-change-tasks]")).to_contain_text("Reload nginx")

            page.locator('button[data-transition="scheduled"]').click()
            expect(header.locator(".state-badge")).to_contain_text("Scheduled")
            page.locator('button[data-transition="implement"]').click()
            expect(header.locator(".state-badge")).to_contain_text("Implement")

            # Do the task on its own page.
            page.locator("[data-change-tasks] a").first.click()
            page.locator('button[data-transition="in_progress"]').click()
            page.locator('button[data-transition="complete"]').click()
            dialog = page.locator("#dlg-task-complete")
            expect(dialog).to_be_visible()
            dialog.get_by_label("Close notes").fill("Reloaded on all four nodes.")
            dialog.get_by_role("button", name="Complete").click()
            expect(page.locator(".state-badge").first).to_contain_text("Closed complete")
            page.locator(".page-pretitle a").nth(1).click()

            page.locator('button[data-transition="review"]').click()
            dialog = page.locator("#dlg-transition-review")
            expect(dialog).to_be_visible()
            dialog.get_by_label("Close code").select_option("successful")
            dialog.get_by_label("Close notes").fill("Certificates valid until next year.")
            dialog.get_by_role("button", name="Finish implementation").click()
            expect(header.locator(".state-badge")).to_contain_text("Review")
            page.locator('button[data-transition="closed"]').click()
            expect(header.locator(".state-badge")).to_contain_text("Closed")
            expect(timeline).to_contain_text("closed the task")
            expect(timeline).to_contain_text("moved it from Review to Closed")
            page.screenshot(path=str(ARTIFACTS / "change-closed.png"), full_page=True)
            problems += page.evaluate("window.__cspViolations")
        finally:
            browser.close()
    assert problems == [], problems
