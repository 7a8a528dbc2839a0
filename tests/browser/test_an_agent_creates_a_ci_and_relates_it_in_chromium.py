"""The CMDB forms in Chromium: an agent creates a server through *New CI* — choosing the class
redraws its attributes (htmx) — then, on the new CI's page, adds a relationship to a database
picked from the suggestions that appear as they type, and removes it after the confirmation
page. No CSP violation and no JavaScript error on any page (SECURITY-REFERENCE B5).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.chromium import ARGS, ARTIFACTS, CHROMIUM, PASSWORD, sign_in, watched_page
from tests.cmdb.conftest import _seeded  # noqa: F401  (autouse: the CI classes)


def _data() -> None:
    from serval.cmdb import actions
    from serval.cmdb.models import CIClass
    from serval.core.models import Tenant
    from serval.people import actions as people

    tenant = Tenant.objects.order_by("pk").first() or Tenant.objects.create(
        name="Browser test", slug="browser-test"
    )
    alice = people.create_user(
        actor=None, username="alice", tenant=tenant, role="agent", password=PASSWORD
    )
    actions.create_ci(
        actor=alice,
        name="pg-orders",
        ci_class=CIClass.objects.get(tenant__isnull=True, name="db_instance"),
        hostname="pg-orders-01",
    )


@pytest.mark.browser
def test_an_agent_creates_a_ci_and_relates_it(live_server):
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
            page.goto(f"{live_server.url}/cmdb/cis/")
            page.get_by_role("link", name="New CI").click()
            expect(page.get_by_role("heading", name="New configuration item")).to_be_visible()
            expect(page.locator("#ci-attributes")).to_contain_text("Choose a class")

            # Choosing the class redraws its attributes in place (htmx), typed fields.
            page.get_by_label("Class").select_option(label="\u2003Server")
            expect(page.locator("#ci-attributes")).to_contain_text("Attributes of Server")
            page.get_by_label("Name", exact=True).fill("srv-orders-01")
            page.get_by_label("Cpu count").fill("8")
            page.get_by_label("Host name", exact=True).fill("srv-orders-01")
            problems += page.evaluate("window.__cspViolations")
            page.get_by_role("button", name="Create CI").click()
            expect(page.get_by_role("heading", name="srv-orders-01", level=1)).to_be_visible()
            expect(page.get_by_role("alert").first).to_contain_text("was created")
            expect(page.locator("section", has=page.locator("#h-fields"))).to_contain_text("8")

            # Add relationship: the database runs on this server (this CI as the child).
            form = page.locator("#rel-add")
            form.get_by_label("This CI is").select_option(label="the child")
            form.get_by_label("Relationship").select_option(value="runs_on")
            other = form.get_by_label("Other CI")
            other.press_sequentially("pg-ord")
            expect(page.locator("#rel-options option")).to_have_count(1)
            value = page.locator("#rel-options option").first.get_attribute("value")
            assert value and value.startswith("pg-orders #")
            other.fill(value)
            form.get_by_role("button", name="Add relationship").click()
            expect(page.get_by_role("alert").first).to_contain_text(
                "pg-orders runs on srv-orders-01."
            )
            rels = page.locator("section", has=page.locator("#h-rels"))
            expect(rels.get_by_role("link", name="pg-orders", exact=True)).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "cmdb-ci-relationship-added.png"), full_page=True)
            problems += page.evaluate("window.__cspViolations")

            # A self-loop is an error on the form.
            form = page.locator("#rel-add")
            form.get_by_label("Other CI").fill("srv-orders-01")
            form.get_by_role("button", name="Add relationship").click()
            expect(page.locator("#id_other_errors")).to_have_text(
                "A CI cannot be related to itself."
            )

            # Remove it: × asks on a page, then removes.
            rels = page.locator("section", has=page.locator("#h-rels"))
            rels.get_by_role("link", name="Remove: Runs pg-orders").click()
            expect(page.get_by_role("heading", name="Remove this relationship?")).to_be_visible()
            page.get_by_role("button", name="Remove the relationship").click()
            expect(page.get_by_role("alert").first).to_contain_text("Removed:")
            expect(rels.get_by_role("link", name="pg-orders", exact=True)).to_have_count(0)
            problems += page.evaluate("window.__cspViolations")
        finally:
            browser.close()
    assert problems == []
