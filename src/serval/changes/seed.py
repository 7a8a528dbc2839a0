"""Seed data for change enablement: the change policy and the risk questionnaire.

The questionnaire is DOMAIN.md §2.3's (each answer scored 1 / 2 / 4, total 8–32; thresholds
13 / 19 / 25 in `ChangePolicy`). Used by migration 0002 with historical models and by tests
that need it back after a flush, with the real ones.
"""

from __future__ import annotations

from typing import Any

QUESTIONS = [
    ("Done this before?", ["Routinely", "Rarely", "Never"]),
    (
        "Complexity, dependencies and teams involved",
        [
            "Simple, one team",
            "Few dependencies, two teams",
            "Many dependencies, three or more teams",
        ],
    ),
    (
        "Potential disruption",
        ["None", "A non-critical function", "A critical business service"],
    ),
    ("Testing", ["Full test environment passed", "Partial", "None possible"]),
    ("Backout", ["Clean rollback", "Restore from backup", "No backout"]),
    ("Outage needed", ["None", "Within the maintenance window", "Outside the window"]),
    (
        "Users or customers affected if it fails",
        ["Fewer than 10", "A department", "The organization or external customers"],
    ),
    ("Lead time against policy", ["Met", "Short", "Emergency"]),
]
SCORES = (1, 2, 4)


def seed(change_policy: Any, risk_question: Any, risk_option: Any) -> None:
    """Create the policy row and, if there are no questions yet, the seed questionnaire."""
    change_policy.objects.get_or_create(pk=1)
    if risk_question.objects.exists():
        return
    for order, (text, labels) in enumerate(QUESTIONS, start=1):
        question = risk_question.objects.create(text=text, order=order, weight=1)
        for index, (label, score) in enumerate(zip(labels, SCORES, strict=True), start=1):
            risk_option.objects.create(question=question, label=label, score=score, order=index)
