"""Approval pages: My approvals, the approval view of a change, policies, CAB boards and
meetings, delegation, and the page behind the e-mail links. `panel` is the approvals card of
the change page (`serval.changes.panels`)."""

from __future__ import annotations

from django.urls import path

from serval.approvals.views import boards, deciding, delegations, links, policies

panel = deciding.panel

urlpatterns = [
    path("approvals/", deciding.mine, name="approvals-mine"),
    path("approvals/count", deciding.count, name="approvals-count"),
    path("approvals/<int:approval_id>/decide", deciding.decide, name="approvals-decide"),
    path("approvals/changes/<str:number>/", deciding.change, name="approvals-change"),
    path("approvals/link/<str:token>/", links.link, name="approvals-link"),
    # --- policies
    path("approvals/policies/", policies.policy_list, name="approvals-policies"),
    path("approvals/policies/new", policies.policy_create, name="approvals-policy-create"),
    path("approvals/policies/<int:pk>/", policies.policy_detail, name="approvals-policy"),
    path(
        "approvals/policies/<int:pk>/delete", policies.policy_delete, name="approvals-policy-delete"
    ),
    path("approvals/policies/<int:pk>/steps/new", policies.step_add, name="approvals-step-add"),
    path(
        "approvals/policies/<int:pk>/steps/<int:step_id>/",
        policies.step_edit,
        name="approvals-step-edit",
    ),
    path(
        "approvals/policies/<int:pk>/steps/<int:step_id>/delete",
        policies.step_delete,
        name="approvals-step-delete",
    ),
    # --- CAB: boards and meetings
    path("approvals/boards/", boards.board_list, name="approvals-boards"),
    path("approvals/boards/new", boards.board_create, name="approvals-board-create"),
    path("approvals/boards/<int:pk>/", boards.board_detail, name="approvals-board"),
    path("approvals/boards/<int:pk>/delete", boards.board_delete, name="approvals-board-delete"),
    path(
        "approvals/boards/<int:pk>/meetings/new",
        boards.meeting_create,
        name="approvals-meeting-create",
    ),
    path("approvals/boards/meetings/<int:pk>/", boards.meeting_detail, name="approvals-meeting"),
    path(
        "approvals/boards/meetings/<int:pk>/edit",
        boards.meeting_edit,
        name="approvals-meeting-edit",
    ),
    path(
        "approvals/boards/meetings/<int:pk>/minutes",
        boards.meeting_minutes,
        name="approvals-meeting-minutes",
    ),
    path(
        "approvals/boards/meetings/<int:pk>/state",
        boards.meeting_state,
        name="approvals-meeting-state",
    ),
    path(
        "approvals/boards/meetings/<int:pk>/agenda/build",
        boards.agenda_build,
        name="approvals-agenda-build",
    ),
    path(
        "approvals/boards/meetings/<int:pk>/agenda/add",
        boards.agenda_add,
        name="approvals-agenda-add",
    ),
    path(
        "approvals/boards/meetings/<int:pk>/agenda/<int:entry_id>/remove",
        boards.agenda_remove,
        name="approvals-agenda-remove",
    ),
    path(
        "approvals/boards/meetings/<int:pk>/agenda/<int:entry_id>/move",
        boards.agenda_move,
        name="approvals-agenda-move",
    ),
    path(
        "approvals/boards/meetings/<int:pk>/agenda/<int:entry_id>/decide",
        boards.agenda_decide,
        name="approvals-agenda-decide",
    ),
    # --- delegation (a section of the profile page)
    path(
        "approvals/delegations/new",
        delegations.delegation_create,
        name="approvals-delegation-create",
    ),
    path(
        "approvals/delegations/<int:pk>/end",
        delegations.delegation_end,
        name="approvals-delegation-end",
    ),
]
