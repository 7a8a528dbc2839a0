"""Schemathesis over every operation the incident and core change sweeps leave out — the CMDB,
services, assets and lifecycle, approvals and CAB, the change schedule, risk and review, service
levels, people and tokens — in-process over WSGI (DESIGN.md §6, "bad input gets a clear error").

The database holds the demo (`serval demo`), so generated requests meet real records: path ids
are drawn from the ids of the records behind these endpoints, numbers from the demo's changes.
Every operation runs as an administrator (who reaches the deepest code paths) and as a
requester (who must be refused cleanly). Checks: no 5xx, documented status codes, content types
and bodies. Bounded and deterministic like the other sweeps; every failing operation is
reported, not only the first.
"""

from __future__ import annotations

import io
import re

import schemathesis
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from serval.people.models import User
from serval.work.models import WorkItem
from tests import factories as f
from tests.api.test_incident_endpoints_conform_to_their_openapi_schema import (  # noqa: F401
    CHECKS,
    wsgi_app,
)
from tests.changes.api.test_change_endpoints_conform_to_their_openapi_schema import CORE

COVERED_ELSEWHERE = re.compile(rf"^/api/v1/incidents|{CORE}")


def _known_ids() -> list[int]:
    """The ids of the records these endpoints address, so `{id}` often names a real one."""
    from serval.approvals.models import (
        AgendaItem,
        Approval,
        ApprovalPolicy,
        Board,
        BoardMeeting,
        Delegation,
        PolicyStep,
    )
    from serval.assets.models import (
        Asset,
        Contract,
        Installation,
        Licence,
        SoftwareProduct,
        SoftwareVersion,
    )
    from serval.changes.models import ChangeWindow, RiskQuestion
    from serval.cmdb.models import CI, CIClass, CIRelationship, ServiceCI
    from serval.people.models import ApiToken, Organization, Team
    from serval.services.models import Service
    from serval.sla.models import BusinessCalendar, SlaDefinition
    from serval.work.models import Attachment

    ids: set[int] = set()
    for model in (
        AgendaItem,
        Approval,
        ApprovalPolicy,
        Board,
        BoardMeeting,
        Delegation,
        PolicyStep,
        Asset,
        Contract,
        Installation,
        Licence,
        SoftwareProduct,
        SoftwareVersion,
        Attachment,
        ChangeWindow,
        RiskQuestion,
        CI,
        CIClass,
        CIRelationship,
        ServiceCI,
        ApiToken,
        Organization,
        Team,
        User,
        Service,
        BusinessCalendar,
        SlaDefinition,
    ):
        ids.update(model.objects.order_by("pk").values_list("pk", flat=True)[:8])
    return sorted(ids)


def _sweep(operations, user, *, examples, known_ids, numbers, usernames) -> tuple[list[str], int]:
    """Every failing operation with its report, and how many operations answered 2xx at least
    once (so a sweep that never got past authentication cannot pass unnoticed)."""
    failures: list[str] = []
    succeeded: set[str] = set()
    for operation in operations:

        @settings(
            max_examples=examples,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(
            case=operation.as_strategy(),
            known_id=st.sampled_from([*known_ids, None]),
            known_number=st.sampled_from([*numbers, None]),
            known_user=st.sampled_from([*usernames, None]),
        )
        def check(case, known_id, known_number, known_user):
            params = case.path_parameters or {}
            for name in params:
                if known_id is not None and (name == "id" or name.endswith("_id")):
                    params[name] = known_id
                elif known_number and name == "number":
                    params[name] = known_number
                elif known_user and name == "username":
                    params[name] = known_user
            # A fresh token each time: the sweep may revoke the one it used (DELETE /tokens/{id}).
            headers = {"Authorization": f"Bearer {f.token_for(user)}"}
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            if 200 <= response.status_code < 300:
                succeeded.add(operation.label)  # noqa: B023 - used while `operation` is current

        try:
            check()
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # schemathesis raises a BaseExceptionGroup: collect it
            failures.append(f"{operation.label}: {str(exc).strip()[:1500]}")
    return failures, len(succeeded)


def test_every_other_operation_never_fails_and_matches_the_schema(db, wsgi_app):  # noqa: F811
    call_command("demo", "--no-progress", stdout=io.StringIO())
    admin = User.objects.get(username="admin")
    requester = User.objects.filter(role="requester").order_by("pk").first()
    assert requester is not None
    known_ids = _known_ids()
    numbers = list(
        WorkItem.objects.filter(kind="change").order_by("pk").values_list("number", flat=True)
    )
    usernames = [admin.username, requester.username]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if not COVERED_ELSEWHERE.search(result.ok().path)
    ]
    assert len(operations) >= 100, len(operations)

    failures, answered = _sweep(
        operations,
        admin,
        examples=10,
        known_ids=known_ids,
        numbers=numbers,
        usernames=usernames,
    )
    more, _ = _sweep(
        operations,
        requester,
        examples=4,
        known_ids=known_ids,
        numbers=numbers,
        usernames=usernames,
    )
    failures += more
    assert answered >= len(operations) // 2, f"only {answered} operations ever answered 2xx"
    assert not failures, "\n\n".join(failures)
