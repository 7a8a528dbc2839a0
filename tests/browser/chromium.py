"""What every browser test shares: Debian's Chromium, its flags, and a page that records CSP
violations, console errors and page errors (SECURITY-REFERENCE B5) for the test to assert on."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

CHROMIUM = os.environ.get("SERVAL_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "Correct-Horse-42!"
# Recorded in the page before any of our scripts run; CDP init scripts are not subject to CSP.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def watched_page(browser: Any, problems: list[str], *, width: int = 1400) -> Any:
    """A new page whose console errors, CSP reports and page errors land in `problems`.

    Waits are generous (conditions, not timings): a loaded CI machine must not flake.
    """
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": width, "height": 1000})
    page.add_init_script(RECORD_VIOLATIONS)
    page.on(
        "console",
        lambda m: (
            problems.append(f"console {m.type}: {m.text}")
            if m.type == "error" or "Content Security Policy" in m.text
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.set_default_timeout(20_000)
    expect.set_options(timeout=15_000)
    return page


def sign_in(page: Any, url: str, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login form."""
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
