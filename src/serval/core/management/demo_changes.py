"""Change enablement for `serval demo`, written through the same actions people use.

So a new user finds, in the root tenant (DOMAIN.md §2.3): the seeded CAB with members, a
weekly patching window for the Windows servers and a release freeze on ERP and Payroll, two
approved standard-change templates, and changes in every part of their life —

- "Upgrade PostgreSQL 13 to 16 on db-erp-01" (the version the EOL report flags): high risk
  because ERP and Payroll depend on it, assessed by the group manager and now waiting in
  Authorize for the CAB and the owners of ERP and Payroll (Hannah, a requester, approves from
  "My approvals"); it conflicts with the firmware change on its server and with the freeze;
- "Firmware update on srv-db-01": approved and scheduled;
- monthly OS patching from a template, scheduled inside the maintenance window, with tasks;
- an emergency change implemented and reviewed, an unsuccessful one with its review and the
  incident it caused, and a draft with half its questionnaire answered.

Dates are relative to today so the calendar, conflicts and reports stay meaningful.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from serval.approvals import boards, engine
from serval.approvals.models import Approval, ApprovalState, Board, StepState
from serval.approvals.seed import CAB, ECAB
from serval.changes import actions as changes
from serval.changes import review, risk, standard, tasks, windows
from serval.changes.models import RiskQuestion
from serval.cmdb import worklinks
from serval.people import actions as people
from serval.work import links
from serval.work.models import WorkItem

if TYPE_CHECKING:
    from serval.core.management.demo_data import DemoBuilder
    from serval.core.management.demo_estate import Estate


def _at(days: int, hour: int, minute: int = 0) -> datetime:
    """Today + `days` at `hour`:`minute` UTC."""
    day = timezone.now() + timedelta(days=days)
    return day.replace(hour=hour, minute=minute, second=0, microsecond=0)


def _next_saturday(hour: int, weeks: int = 0) -> datetime:
    today = timezone.now()
    ahead = (5 - today.weekday()) % 7 or 7
    return _at(ahead + 7 * weeks, hour)


class Changes:
    """Builds the change data after the estate exists."""

    def __init__(self, builder: DemoBuilder, estate: Estate) -> None:
        self.b = builder
        self.e = estate
        self.made: dict[str, WorkItem] = {}

    def steps(self) -> list[tuple[str, Any]]:
        return [
            ("change authorities", self._authorities),
            ("change windows", self._windows),
            ("standard-change templates", self._templates),
            ("changes", self._changes),
        ]

    # --- set-up --------------------------------------------------------------------------

    def _authorities(self) -> None:
        u, admin = self.b.users, self.b.users["admin"]
        cab = Board.objects.get(tenant=self.b.root, name=CAB)
        boards.update_board(actor=admin, board=cab, chair=u["mei"], members=[u["mei"], u["lukas"]])
        ecab = Board.objects.get(tenant=self.b.root, name=ECAB)
        boards.update_board(actor=admin, board=ecab, chair=u["mei"], members=[u["mei"]])
        for name in ("sofia", "daniel", "hannah"):
            people.update_user(actor=admin, user=u[name], manager=u["mei"])
        # The business owner of Payroll is HR: Hannah approves changes that put it at risk.
        payroll = self.e.services["payroll"]
        from serval.services import actions as services

        services.update_service(actor=admin, service=payroll, owner=u["hannah"])
        self.b.users = {k: type(v).objects.get(pk=v.pk) for k, v in self.b.users.items()}

    def _windows(self) -> None:
        mei, cis = self.b.users["mei"], self.e.cis
        saturday = _next_saturday(21)
        windows.create_window(
            actor=mei,
            tenant=self.b.root,
            kind="maintenance",
            name="Windows patching (Saturday night)",
            description="When the Windows servers may be patched and rebooted.",
            starts_at=saturday,
            ends_at=saturday + timedelta(hours=6),
            rrule="FREQ=WEEKLY;BYDAY=SA",
            time_zone="UTC",
            cis=[cis[n].pk for n in ("srv-app-01", "srv-mail-01", "srv-mail-02")],
        )
        windows.create_window(
            actor=mei,
            tenant=self.b.root,
            kind="blackout",
            name="Release freeze",
            description="Month-end closing in Finance: no changes to ERP or Payroll.",
            starts_at=_at(19, 0),
            ends_at=_at(26, 0),
            services=[self.e.services["erp"].pk, self.e.services["payroll"].pk],
        )

    def _templates(self) -> None:
        mei, teams = self.b.users["mei"], self.b.teams
        self.patching = standard.create_template(
            actor=mei,
            tenant=self.b.root,
            name="Monthly OS patching (Windows Server)",
            description="The monthly cumulative update on one Windows server.",
            category="Patching",
            title="Monthly OS patching",
            implementation_plan="Snapshot, install the cumulative update, reboot, check services.",
            backout_plan="Revert to the snapshot taken before patching.",
            test_plan="Services answer their health checks; event log clean after reboot.",
            assignment_group=teams["network"].pk,
            tasks=[
                {"title": "Take a snapshot", "assignment_group": teams["network"].pk},
                {"title": "Install the update and reboot", "assignment_group": teams["network"].pk},
                {"title": "Check the applications", "assignment_group": teams["desk"].pk},
            ],
        )
        standard.approve_template(actor=mei, template=self.patching)
        restart = standard.create_template(
            actor=mei,
            tenant=self.b.root,
            name="Rolling restart of a web node",
            title="Rolling restart of a web node",
            implementation_plan="Drain the node at the load balancer, restart, undrain.",
            backout_plan="Keep the node drained; the other node carries the site.",
            assignment_group=teams["network"].pk,
            tasks=[
                {"title": "Drain, restart and undrain", "assignment_group": teams["network"].pk}
            ],
        )
        standard.approve_template(actor=mei, template=restart)

    # --- changes -------------------------------------------------------------------------

    def _approve_all(self, item: WorkItem, *, stage: str | None = None) -> None:
        """Everyone asked decides yes, step after step (as they would from My approvals)."""
        while True:
            pending = (
                Approval.objects.filter(
                    work_item=item, state=ApprovalState.REQUESTED, step__state=StepState.PENDING
                )
                .select_related("approver", "step")
                .order_by("pk")
            )
            if stage:
                pending = pending.filter(step__stage=stage)
            approval = pending.first()
            if approval is None:
                return
            engine.decide(
                actor=approval.approver, approval=approval, approve=True, comment="Agreed."
            )

    def _schedule(self, item: WorkItem, *, reason: str = "") -> WorkItem:
        """Approvals in, then — where conflicts (or a missing window) held it in Authorize — a
        change manager schedules it, with the reason for overriding on record."""
        self._approve_all(WorkItem.objects.get(pk=item.pk))
        item = WorkItem.objects.get(pk=item.pk)
        if item.state == "authorize":
            item = self._move(
                "mei",
                item,
                "scheduled",
                conflict_override_reason=reason or "Coordinated with the teams involved.",
            )
        return item

    def _raise(self, actor_name: str, *, cis: tuple[str, ...] = (), **fields: Any) -> WorkItem:
        actor = self.b.users[actor_name]
        item = changes.create_change(actor=actor, tenant=self.b.root, **fields)
        for name in cis:
            worklinks.link_ci(actor=actor, item=item, ci=self.e.cis[name])
        return WorkItem.objects.get(pk=item.pk)

    def _move(self, actor_name: str, item: WorkItem, to: str, **fields: Any) -> WorkItem:
        changes.transition_change(
            actor=self.b.users[actor_name], item=WorkItem.objects.get(pk=item.pk), to=to, **fields
        )
        return WorkItem.objects.get(pk=item.pk)

    def _changes(self) -> None:
        u, teams = self.b.users, self.b.teams
        desk, network = teams["desk"].pk, teams["network"].pk
        # Approved and scheduled: firmware on the database server, in the night of day 18.
        firmware = self._raise(
            "lukas",
            cis=("srv-db-01",),
            title="Firmware update on srv-db-01",
            change_type="normal",
            justification="Vendor advisory DSA-2026-117 fixes a memory controller fault.",
            implementation_plan="Fail over nothing (single node); flash BIOS and iDRAC; reboot.",
            backout_plan="Flash the previous firmware from the iDRAC image store.",
            test_plan="POST completes; RAID and NICs healthy; database starts.",
            planned_start=_at(18, 22),
            planned_end=_at(18, 23, 30),
            assignment_group=network,
            assignee=u["lukas"].pk,
        )
        firmware = self._schedule(self._move("lukas", firmware, "assess"))
        # Waiting for the CAB and the service owners: the PostgreSQL upgrade, in the freeze
        # and overlapping the firmware work on the server it runs on.
        upgrade = self._raise(
            "priya",
            cis=("db-erp-01",),
            title="Upgrade PostgreSQL 13 to 16 on db-erp-01",
            change_type="normal",
            justification="PostgreSQL 13 reaches end of life within 90 days (see the EOL report).",
            implementation_plan="Stop ERP and Payroll; pg_upgrade --link to 16; analyse; start.",
            backout_plan="Restore the storage snapshot taken before the upgrade; start 13.",
            test_plan="Payroll and ERP smoke tests in staging passed on 16.",
            planned_start=_at(18, 22, 30),
            planned_end=_at(19, 1),
            assignment_group=desk,
            assignee=u["priya"].pk,
            impact=2,
            urgency=2,
        )
        self._answer(upgrade, u["priya"], [1, 2, 4, 1, 2, 2, 4, 1])
        upgrade = self._move("priya", upgrade, "assess")
        self._approve_all(upgrade, stage="assess")
        # A standard change from the template, inside next Saturday's maintenance window.
        saturday = _next_saturday(22)
        patch = changes.create_change(
            actor=u["lukas"],
            tenant=self.b.root,
            template=self.patching.pk,
            title="Monthly OS patching of srv-app-01",
            planned_start=saturday,
            planned_end=saturday + timedelta(hours=2),
            assignee=u["lukas"].pk,
        )
        worklinks.link_ci(actor=u["lukas"], item=patch, ci=self.e.cis["srv-app-01"])
        self._move("lukas", patch, "scheduled")
        self._emergency()
        self._unsuccessful()
        draft = self._raise(
            "jordan",
            cis=("wlc-01",),
            title="Replace the Wi-Fi controller wlc-01",
            change_type="normal",
            justification="The controller's hardware is end of sale; spare parts are scarce.",
            planned_start=_at(30, 20),
            planned_end=_at(30, 23),
            assignment_group=network,
        )
        self._answer(draft, u["jordan"], [2, 2, 2, 2])

    def _answer(self, item: WorkItem, actor: Any, scores: list[int]) -> None:
        """Answer the first questions with the options scoring `scores` (1, 2 or 4)."""
        answers = {}
        for question, score in zip(RiskQuestion.objects.filter(active=True), scores, strict=False):
            option = question.options.filter(score=score).first()
            if option is not None:
                answers[question.pk] = option.pk
        risk.answer(actor=actor, item=WorkItem.objects.get(pk=item.pk), answers=answers)

    def _finish_tasks(self, item: WorkItem, actor: Any) -> None:
        for task in tasks.tasks_of(item):
            tasks.transition_task(actor=actor, task=task, to="in_progress")
            tasks.transition_task(actor=actor, task=task, to="complete", close_notes="Done.")

    def _emergency(self) -> None:
        u = self.b.users
        item = self._raise(
            "lukas",
            cis=("lb-01",),
            title="Block the exploited management port on lb-01",
            change_type="emergency",
            justification="Active exploitation of CVE-2026-24858 on the management interface.",
            assignment_group=self.b.teams["network"].pk,
            assignee=u["lukas"].pk,
        )
        item = self._move("lukas", item, "authorize")
        changes.update_change(
            actor=u["lukas"],
            item=item,
            planned_start=_at(0, 0) - timedelta(days=3),
            planned_end=_at(0, 1) - timedelta(days=3),
            implementation_plan="Deny TCP 10443 from outside the management VLAN.",
            backout_plan="Remove the deny rule.",
        )
        item = self._schedule(item)
        item = self._move("lukas", item, "implement")
        item = self._move(
            "lukas",
            item,
            "review",
            close_code="successful",
            close_notes="Port blocked; scan clean.",
        )
        review.complete_review(
            actor=u["lukas"],
            item=item,
            objectives_met=True,
            backout_executed=False,
            lessons="Subscribe the network team to the vendor's PSIRT feed.",
            follow_ups="Firmware upgrade of lb-01 as a normal change.",
        )
        self._move("lukas", item, "closed")

    def _unsuccessful(self) -> None:
        u = self.b.users
        item = self._raise(
            "priya",
            cis=("app-payroll-01",),
            title="Payroll export: switch to the new bank file format",
            change_type="normal",
            justification="The bank retires the old export format at month end.",
            implementation_plan="Deploy export module 4.2; switch the format flag.",
            backout_plan="Switch the format flag back.",
            planned_start=_at(-9, 20),
            planned_end=_at(-9, 21),
            assignment_group=self.b.teams["desk"].pk,
            assignee=u["priya"].pk,
        )
        # Its server is outside the Windows patching window that night: a change manager
        # authorizes it anyway, with the reason on record.
        item = self._schedule(
            self._move("priya", item, "assess"),
            reason="The bank's deadline is month end; the app server's patching window is "
            "Saturday only and nothing else runs on it that evening.",
        )
        item = self._move("priya", item, "implement")
        item = self._move(
            "priya",
            item,
            "review",
            close_code="unsuccessful",
            close_notes="Export rejected by the bank's validator; switched back.",
        )
        caused = next(
            (i for i in self.b.incidents if i.title == "Payroll export fails with timeout"), None
        )
        if caused is not None:
            links.link_items(
                actor=u["priya"],
                item=WorkItem.objects.get(pk=caused.pk),
                other=item,
                link_type="caused_by",
            )
        review.complete_review(
            actor=u["priya"],
            item=WorkItem.objects.get(pk=item.pk),
            objectives_met=False,
            backout_executed=True,
            lessons="Validate export files against the bank's test endpoint before go-live.",
            follow_ups="Problem record for the validator rejections; retry as a new change.",
        )
        self._move("priya", item, "closed")
