"""The requests of the load scenarios, shared by run.py (sent by wrk) and instructions.py
(replayed in-process under callgrind), so both measure the same thing.

`prepared` is what benchmarks/prepare.py printed: the agent's token, team, open states, a
signed-in session and incident numbers.
"""

from __future__ import annotations

from typing import Any

INCIDENTS = "/api/v1/incidents"
# 3. a different word each request (wrk cycles through them; instructions.py takes the first).
SEARCH_WORDS = (
    "printer",
    "vpn",
    "outlook",
    "password",
    "firewall",
    "timeout",
    "laptop",
    "dns",
    "certificate",
    "payroll",
    "backup",
    "citrix",
    "storage",
    "invoice",
    "monitor",
)


def create_body(prepared: dict[str, Any]) -> dict[str, Any]:
    """1. an incident routed to the agent's team; wrk replaces COUNTER per request."""
    return {
        "title": "Bench incident COUNTER printer offline",
        "description": "vpn drops",
        "impact": 2,
        "urgency": 2,
        "assignment_group": prepared["team"],
    }


def queue_path(prepared: dict[str, Any]) -> str:
    """2. the agent's queue: 50 open items of the agent's team, soonest SLA breach first."""
    return (
        f"{INCIDENTS}?assignment_group={prepared['team']}&state={prepared['open_states']}"
        "&limit=50&ordering=sla_next_breach_at"
    )


def search_path(word: str) -> str:
    """3. full-text search, 50 hits."""
    return f"{INCIDENTS}?q={word}&limit=50"


def page_path(number: str) -> str:
    """4. an incident page, as an agent opens it."""
    return f"/incidents/{number}/"
