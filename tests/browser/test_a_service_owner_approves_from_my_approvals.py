"""Issue 5 "Done means … gets it approved by the service owner": in Chromium, the owner of the
impacted service — a requester, not an agent — signs in, sees the count in the navigation,
opens "My approvals", reads the change and approves it; a reject needs a reason in its dialog.
No CSP violation and no JavaScript error on any page (SECURITY-REFERENCE B5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from serval.approvals.models import Approval
from serval.work.models import WorkItem
from tests.approvals.conftest import build_estate, make_change, make_policy, step, submit, window
from tests.browser.chromium import (
    ARGS,
    ARTIFACTS,
    CHROMIUM,
    sign_in,
    watched_page,
)
from tests.cmdb.conftest import _seeded  # noqa: F401  (autouse: CMDB seed after flushes)


@pytest.mark.browser
def test_the_service_owner_approves(live_server, world):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; set SERVAL_CHROMIUM.")
    from playwright.sync_api import expect, sync_playwright

    estate = build_estate(world)
    make_policy(world, step(stage="assess", kind="service_owners", label="Service owners"))
    approve_me = submit(
        world.agent, make_change(world.agent, cis=(estate.db,), title="Patch Payroll DB")
    )
    reject_me = submit(
        world.agent,
        make_change(
            world.agent,
            cis=(estate.db,),
            title="Reboot in daytime",
            planned_start=window(days=14)[0],  # not overlapping the first one: no conflict
            planned_end=window(days=14)[1],
        ),
    )
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = watched_page(browser, problems)

            sign_in(page, live_server.url, estate.owner.username)
            nav = page.locator('a[data-nav="approvals"]')
            expect(nav.locator(".approvals-count")).to_contain_text("2")

            nav.click()
            expect(page.get_by_role("heading", name="My approvals")).to_be_visible()
            rows = page.locator("table.approvals-table tbody tr")
            expect(rows).to_have_count(2)
            expect(page.locator("table.approvals-table")).to_contain_text("Moderate")

            # Read the change first: plans, window and impacted services, read-only.
            page.get_by_role("link", name=approve_me.number).click()
            expect(page.locator("h1.change-title")).to_have_text("Patch Payroll DB")
            expect(page.locator(".change-summary")).to_contain_text(estate.payroll.name)
            expect(page.get_by_text("Restore the snapshot.")).to_be_visible()
            page.get_by_role("link", name="My approvals").first.click()

            row = page.locator(f'tr:has(a:text-is("{approve_me.number}"))')
            row.get_by_role("button", name="Approve").click()
            expect(page.get_by_role("alert").first).to_contain_text(
                f"You approved {approve_me.number}"
            )
            expect(rows).to_have_count(1)

            # Reject: the dialog needs a reason.
            other = page.locator(f'tr:has(a:text-is("{reject_me.number}"))')
            other.get_by_role("button", name="Reject…").click()
            dialog = page.locator("dialog[open]")
            expect(dialog).to_be_visible()
            dialog.get_by_label("Why do you reject it?").fill("Not during the payroll run.")
            dialog.get_by_role("button", name="Reject", exact=True).click()
            expect(page.get_by_role("alert").first).to_contain_text(
                f"You rejected {reject_me.number}"
            )
            expect(page.get_by_text("Nothing waits for your decision.")).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "my-approvals.png"), full_page=True)

            page.goto(f"{live_server.url}/approvals/?show=decided")
            expect(page.locator("table.approvals-table")).to_contain_text(
                "Not during the payroll run."
            )
            problems += page.evaluate("window.__cspViolations")
        finally:
            browser.close()
    assert problems == [], problems
    assert WorkItem.objects.get(pk=approve_me.pk).state == "scheduled"
    assert WorkItem.objects.get(pk=reject_me.pk).state == "new"
    assert Approval.objects.get(work_item=approve_me).decided_by == estate.owner
