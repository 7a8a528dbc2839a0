"""Signed approve/reject links for approval e-mails (INTEGRATIONS-REFERENCE, SECURITY A10).

A link carries a token made with `django.core.signing` under its own salt, so no other signed
value of Serval (API cursors, password-reset links, sessions) is accepted as one, and with a
timestamp checked against `SERVAL_APPROVAL_LINK_DAYS`. The token binds the approval's id, the
approver whose approval it is, the person the mail went to (the approver, or their delegate)
and the round, so it cannot be turned to another approval, another person or a later round.
It is valid only while that approval is open and that person may still decide it (a delegate's
link dies with the delegation); a decided approval makes every link to it useless, so a link is
used at most once.

The link opens a confirmation page: GET only shows (mail scanners and link previews fetch
links), the page's POST decides. That POST needs no sign-in and no CSRF token: the signed token
in the URL *is* the credential — no cookie or session authorises anything, so a cross-site
request can do nothing the attacker could not already do holding the token itself, and without
it there is nothing to forge. See docs/approvals.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing

from serval.approvals import engine
from serval.approvals.models import Approval
from serval.core.errors import PermissionDenied, ValidationFailed
from serval.people.models import User

SALT = "serval.approvals.link"
MAX_TOKEN = 400


class LinkProblem(Exception):
    """Why a link cannot be used: invalid, expired, closed (decided) or not_allowed."""

    def __init__(self, code: str, approval: Approval | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.approval = approval


@dataclass(frozen=True)
class LinkTarget:
    approval: Approval
    actor: User

    @property
    def on_behalf(self) -> bool:
        return self.approval.approver_id != self.actor.pk


def max_age() -> int:
    return max(1, int(settings.APPROVAL_LINK_DAYS)) * 86400


def make_token(approval: Approval, recipient: User) -> str:
    """The token for `recipient` (the approver or their delegate) to decide `approval`."""
    return signing.dumps(
        {
            "a": approval.pk,
            "p": approval.approver_id,
            "u": recipient.pk,
            "r": approval.step.round.number,
        },
        salt=SALT,
    )


def _payload(token: Any) -> dict[str, int]:
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN or not token.isascii():
        raise LinkProblem("invalid")
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age())
    except signing.SignatureExpired:
        raise LinkProblem("expired") from None
    except (signing.BadSignature, ValueError, TypeError, UnicodeError):
        raise LinkProblem("invalid") from None
    keys = ("a", "p", "u", "r")
    if not isinstance(data, dict) or any(
        not isinstance(data.get(k), int) or isinstance(data.get(k), bool) for k in keys
    ):
        raise LinkProblem("invalid")
    return {k: int(data[k]) for k in keys}


def read(token: Any) -> LinkTarget:
    """The approval and the person a token lets decide it now, else LinkProblem."""
    data = _payload(token)
    approval = (
        Approval.objects.select_related(
            "step__round", "work_item__caller", "approver", "decided_by"
        )
        .filter(pk=data["a"])
        .first()
    )
    if (
        approval is None
        or approval.approver_id != data["p"]
        or approval.step.round.number != data["r"]
    ):
        raise LinkProblem("invalid")
    actor = User.objects.filter(pk=data["u"], is_active=True).first()
    if actor is None:
        raise LinkProblem("not_allowed", approval)
    if not engine.is_open(approval):
        raise LinkProblem("closed", approval)
    if not engine.may_act_for(actor, approval, caller_id=approval.work_item.caller_id):
        raise LinkProblem("not_allowed", approval)
    return LinkTarget(approval, actor)


def decide(token: Any, *, approve: bool, comment: Any = "") -> Approval:
    """Decide through a link (the POST of the confirmation page)."""
    target = read(token)
    try:
        return engine.decide(
            actor=target.actor,
            approval=target.approval,
            approve=approve,
            comment=comment,
            via="email",
        )
    except PermissionDenied:
        raise LinkProblem("not_allowed", target.approval) from None
    except ValidationFailed as exc:
        if "approval" in exc.as_dict():  # decided meanwhile by someone else
            raise LinkProblem("closed", target.approval) from None
        raise
