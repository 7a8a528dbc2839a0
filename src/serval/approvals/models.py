"""One approval engine for every kind of work item (changes now, service requests later).

A **policy** says, for a kind of item (and for changes: which types and risks), who must
approve at which **stage** (a change's "assess" or "authorize" state) in **steps**: steps with
the same `order` run in parallel, a higher order waits for the lower ones. Submitting an item
starts a **round**: each step of the matching policies becomes an `ApprovalStep` with one
`Approval` per approver resolved at that moment (users, a team's members, the requester's
manager, the owner of each impacted service, a board such as the CAB). A rejection ends the
round; the kind's module decides what follows (a change returns to New). Resubmission starts
a fresh round. People away name a **delegate** who may decide for them meanwhile.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from serval.core.models import TenantOwned


class ApproverKind(models.TextChoices):
    USERS = "users", _("Named people")
    TEAM = "team", _("A team")
    GROUP_MANAGER = "group_manager", _("The assignment group's manager")
    REQUESTER_MANAGER = "requester_manager", _("The requester's manager")
    SERVICE_OWNERS = "service_owners", _("The owner of each impacted service")
    BOARD = "board", _("A board (CAB)")


class Mode(models.TextChoices):
    """How many of a step's approvers must approve (one rejection always rejects)."""

    ANY = "any", _("Any one")
    ALL = "all", _("All")
    QUORUM = "quorum", _("A quorum")


class Board(TenantOwned):
    """A change advisory board (or emergency CAB): members who decide together in meetings."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("chair"),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="boards", verbose_name=_("members")
    )
    emergency = models.BooleanField(_("emergency board"), default=False)
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="board_unique_name")]

    def __str__(self) -> str:
        return self.name


class ApprovalPolicy(TenantOwned):
    """Who approves what: matched on the item's kind and, for changes, its type and risk."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("work item kind"), max_length=16, default="change")
    # Empty list = any. Values are ChangeType / Risk keys for changes.
    change_types = models.JSONField(_("change types"), default=list, blank=True)
    risks = models.JSONField(_("risks"), default=list, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["kind", "order", "pk"]
        verbose_name_plural = _("approval policies")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="approval_policy_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class PolicyStep(models.Model):
    policy = models.ForeignKey(ApprovalPolicy, on_delete=models.CASCADE, related_name="steps")
    stage = models.CharField(_("stage"), max_length=24)
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    label = models.CharField(_("label"), max_length=200)
    approver_kind = models.CharField(max_length=24, choices=ApproverKind.choices)
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    team = models.ForeignKey(
        "people.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    board = models.ForeignKey(
        Board, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    mode = models.CharField(max_length=8, choices=Mode.choices, default=Mode.ANY)
    quorum = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["policy", "stage", "order", "pk"]

    def __str__(self) -> str:
        return self.label


class RoundState(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class ApprovalRound(TenantOwned):
    """One submission of an item for approval; steps are instantiated per stage as it is reached."""

    work_item = models.ForeignKey(
        "work.WorkItem", on_delete=models.CASCADE, related_name="approval_rounds"
    )
    number = models.PositiveIntegerField()
    state = models.CharField(max_length=16, choices=RoundState.choices, default=RoundState.PENDING)
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["work_item", "number"]
        constraints = [
            models.UniqueConstraint(fields=["work_item", "number"], name="approval_round_unique")
        ]

    def __str__(self) -> str:
        return f"round {self.number} of {self.work_item_id}"


class StepState(models.TextChoices):
    WAITING = "waiting", _("Waiting for an earlier step")
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")
    # Nobody to ask by the step's nature (service owners of a change that impacts no service).
    SKIPPED = "skipped", _("Not applicable")


class ApprovalStep(models.Model):
    round = models.ForeignKey(ApprovalRound, on_delete=models.CASCADE, related_name="steps")
    stage = models.CharField(max_length=24)
    order = models.PositiveSmallIntegerField(default=1)
    label = models.CharField(max_length=200)
    approver_kind = models.CharField(max_length=24, choices=ApproverKind.choices)
    board = models.ForeignKey(
        Board, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mode = models.CharField(max_length=8, choices=Mode.choices, default=Mode.ANY)
    quorum = models.PositiveSmallIntegerField(default=1)
    state = models.CharField(max_length=16, choices=StepState.choices, default=StepState.WAITING)
    decided_at = models.DateTimeField(null=True, blank=True)
    # Set when the step was decided as a whole (a board's decision recorded in a meeting):
    # who recorded it, the board's reason, and the meeting. Individual decisions live on the
    # step's approvals instead.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(blank=True, max_length=4000)
    meeting = models.ForeignKey(
        "BoardMeeting", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["round", "stage", "order", "pk"]
        indexes = [
            # A board's agenda: the pending steps of that board.
            models.Index(fields=["board", "state"], name="approval_step_board_state"),
        ]

    def __str__(self) -> str:
        return self.label


class ApprovalState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")
    # Not needed any more: the step was decided without this person (any-one, a board decision).
    NOT_REQUIRED = "not_required", _("No longer required")


class Approval(TenantOwned):
    """One approver's decision within a step; decided by them or by their delegate."""

    step = models.ForeignKey(ApprovalStep, on_delete=models.CASCADE, related_name="approvals")
    work_item = models.ForeignKey("work.WorkItem", on_delete=models.CASCADE, related_name="+")
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="approvals"
    )
    state = models.CharField(
        max_length=16, choices=ApprovalState.choices, default=ApprovalState.REQUESTED
    )
    # Who clicked: the approver, their delegate, or the board's chair recording a decision.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True, max_length=4000)
    # Why this person: e.g. "owner of Payroll" (service owners), the team's name.
    reason = models.CharField(max_length=200, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["step", "pk"]
        indexes = [
            # "My approvals": what waits for me (or for the people I stand in for).
            models.Index(fields=["approver", "state"], name="approval_approver_state"),
            models.Index(fields=["work_item", "state"], name="approval_item_state"),
            # The approvals list of the API: by state, newest first, within the caller's reach.
            models.Index(
                fields=["tenant", "state", "requested_at"], name="approval_tenant_state_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.approver_id} on {self.work_item_id}: {self.state}"


class Delegation(models.Model):
    """While `user` is away (starts_at–ends_at), `delegate` may decide their approvals."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delegations"
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delegated_to_me"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_at"]
        indexes = [
            models.Index(fields=["delegate", "starts_at", "ends_at"], name="delegation_delegate"),
            models.Index(fields=["user", "starts_at", "ends_at"], name="delegation_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.delegate_id}"


class MeetingState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class BoardMeeting(TenantOwned):
    """A CAB meeting: its agenda is built from items awaiting the board's authorization."""

    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="meetings")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    location = models.CharField(_("location"), max_length=300, blank=True)
    state = models.CharField(
        max_length=16, choices=MeetingState.choices, default=MeetingState.PLANNED
    )
    minutes = models.TextField(_("minutes"), blank=True, max_length=50000)
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-starts_at"]
        indexes = [
            models.Index(fields=["board", "starts_at"], name="meeting_board_time"),
            # The meetings list of the API, filtered by state, newest first.
            models.Index(fields=["tenant", "state", "starts_at"], name="meeting_state_time"),
        ]

    def __str__(self) -> str:
        return f"{self.board} {self.starts_at:%Y-%m-%d}"


class Decision(models.TextChoices):
    NONE = "", _("Not decided")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    DEFERRED = "deferred", _("Deferred")


class AgendaItem(models.Model):
    """One item on a meeting's agenda and the board's decision on it."""

    meeting = models.ForeignKey(BoardMeeting, on_delete=models.CASCADE, related_name="agenda")
    work_item = models.ForeignKey("work.WorkItem", on_delete=models.CASCADE, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)
    decision = models.CharField(max_length=16, choices=Decision.choices, blank=True)
    notes = models.TextField(blank=True, max_length=4000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["meeting", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "work_item"], name="agenda_item_unique")
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.work_item_id}"
