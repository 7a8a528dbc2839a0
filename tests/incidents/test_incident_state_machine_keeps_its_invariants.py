"""DOMAIN.md §2.1 incident lifecycle, as a hypothesis rule-based state machine.

Random walks of transitions (drawn from INCIDENT.available, plus forbidden ones, stale writes,
missing required fields and caller replies) drive `transition_incident` on one incident. After
every step the lifecycle invariants of §2.1 hold and the journal chain verifies
(SECURITY-REFERENCE I1).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from serval.core import journal
from serval.core.errors import StaleVersion, TransitionNotAllowed, ValidationFailed
from serval.core.models import JournalEvent
from serval.incidents import actions as incidents
from serval.incidents import states as S
from serval.work.models import WorkItem
from tests import factories as f

HOLD_REASONS = [k for k, _ in S.HOLD_REASONS]
CLOSE_CODES = [k for k, _ in S.CLOSE_CODES]
TERMINAL = {S.CLOSED, S.CANCELLED}


def _events(item: WorkItem) -> int:
    return JournalEvent.objects.filter(subject_type="work_item", subject_id=item.pk).count()


class IncidentLifecycle(RuleBasedStateMachine):
    world = None  # set by the test function; users and teams are shared by all examples

    @initialize(with_group=st.booleans())
    def open_incident(self, with_group: bool) -> None:
        w = self.world
        fields = {"caller": w.requester.pk}
        if with_group:
            fields["assignment_group"] = w.team.pk
        self.item = f.make_incident(w.agent, **fields)
        self.version = self.item.version
        self.reopens = 0
        self.events = _events(self.item)

    # --- helpers -------------------------------------------------------------------------------

    def _actors(self):
        w = self.world
        return [w.agent, w.manager, w.requester, w.requester_same_org]

    def _reload(self) -> None:
        self.item = WorkItem.objects.get(pk=self.item.pk)

    def _expect_unchanged(self) -> None:
        self._reload()
        assert self.item.version == self.version
        assert _events(self.item) == self.events

    def _expect_changed(self) -> None:
        assert self.item.version > self.version, "every write bumps the version"
        assert _events(self.item) > self.events, "every write is journalled"
        self.version, self.events = self.item.version, _events(self.item)

    # --- rules ---------------------------------------------------------------------------------

    @rule(data=st.data())
    def fire_an_available_transition(self, data: st.DataObject) -> None:
        actor = data.draw(st.sampled_from(self._actors()), label="actor")
        available = S.INCIDENT.available(self.item, actor)
        if not available:
            return
        t = data.draw(st.sampled_from(available), label="transition")
        fields: dict = {}
        ok = True
        for name in t.requires:
            if name == "assignment_group":
                if self.item.assignment_group_id is None:
                    if actor.is_agent and data.draw(st.booleans(), label="give group"):
                        fields[name] = self.world.team.pk
                    else:
                        ok = False
                continue
            omit = data.draw(st.sampled_from(["give", "give", "give", "omit", "blank"]), label=name)
            if omit == "omit":
                ok = False
                continue
            if omit == "blank":
                fields[name] = "   "
                ok = False
                continue
            if name == "hold_reason":
                fields[name] = data.draw(st.sampled_from(HOLD_REASONS), label="reason")
                if fields[name] == "awaiting_caller" and not data.draw(st.booleans()):
                    ok = False  # awaiting caller needs a customer-visible comment
                else:
                    fields["comment"] = "Please send the log file."
            elif name == "close_code":
                fields[name] = data.draw(st.sampled_from(CLOSE_CODES), label="code")
            else:
                fields[name] = "Done: replaced the switch."
        before = self.item.state
        if not ok:
            with pytest.raises(ValidationFailed):
                incidents.transition_incident(
                    actor=actor,
                    item=self.item,
                    to=t.target,
                    expected_version=self.version,
                    **fields,
                )
            self._expect_unchanged()
            return
        self.item = incidents.transition_incident(
            actor=actor, item=self.item, to=t.target, expected_version=self.version, **fields
        )
        assert self.item.state == t.target
        if before == S.RESOLVED and t.target == S.IN_PROGRESS:
            self.reopens += 1
        if before == S.ON_HOLD and t.target != S.ON_HOLD:
            assert self.item.hold_reason == ""
        self._expect_changed()

    @rule(data=st.data())
    def a_transition_that_is_not_offered_is_refused(self, data: st.DataObject) -> None:
        actor = data.draw(st.sampled_from(self._actors()), label="actor")
        offered = {t.target for t in S.INCIDENT.available(self.item, actor)}
        refused = [s for s in [*S.INCIDENT.states, "bogus"] if s not in offered]
        target = data.draw(st.sampled_from(refused), label="target")
        with pytest.raises(TransitionNotAllowed) as exc:
            incidents.transition_incident(
                actor=actor, item=self.item, to=target, cancel_reason="x", close_code="x"
            )
        assert sorted(exc.value.allowed) == sorted(offered)
        self._expect_unchanged()

    @rule()
    def a_stale_write_is_refused(self) -> None:
        with pytest.raises(StaleVersion):
            incidents.transition_incident(
                actor=self.world.agent,
                item=self.item,
                to=S.CANCELLED,
                expected_version=self.version - 1,
                cancel_reason="duplicate",
            )
        self._expect_unchanged()

    @rule(internal=st.booleans())
    def someone_comments(self, internal: bool) -> None:
        w = self.world
        actor = w.agent if internal else w.requester
        if self.item.state in TERMINAL and not actor.is_agent:
            return
        was_awaiting = self.item.state == S.ON_HOLD and self.item.hold_reason == "awaiting_caller"
        incidents.comment_on_incident(actor=actor, item=self.item, body="hi", internal=internal)
        self._reload()
        if was_awaiting and not internal:  # the caller's reply resumes work, or re-queues it
            assert self.item.state == (S.IN_PROGRESS if self.item.assignment_group_id else S.NEW)
        self._expect_changed()

    # --- invariants ----------------------------------------------------------------------------

    @invariant()
    def state_is_declared(self) -> None:
        assert self.item.state in S.INCIDENT.states

    @invariant()
    def terminal_states_offer_nothing(self) -> None:
        if self.item.state in TERMINAL:
            for actor in self._actors():
                assert S.INCIDENT.available(self.item, actor) == []
        assert S.INCIDENT.states[self.item.state].terminal == (self.item.state in TERMINAL)

    @invariant()
    def active_exactly_while_not_closed_or_cancelled(self) -> None:
        assert self.item.active == (self.item.state not in TERMINAL)
        assert (self.item.closed_at is not None) == (self.item.state in TERMINAL)

    @invariant()
    def resolved_has_code_notes_and_time(self) -> None:
        if self.item.state in (S.RESOLVED, S.CLOSED):
            assert self.item.close_code in CLOSE_CODES
            assert self.item.close_notes.strip()
            assert self.item.resolved_at is not None and self.item.resolved_by_id is not None

    @invariant()
    def on_hold_exactly_when_a_reason_is_set(self) -> None:
        if self.item.state == S.ON_HOLD:
            assert self.item.hold_reason in HOLD_REASONS
        else:
            assert self.item.hold_reason == ""

    @invariant()
    def in_progress_has_a_group(self) -> None:
        if self.item.state == S.IN_PROGRESS:
            assert self.item.assignment_group_id is not None

    @invariant()
    def reopen_count_counts_reopens(self) -> None:
        assert self.item.reopen_count == self.reopens

    @invariant()
    def journal_chain_verifies(self) -> None:
        assert list(journal.verify("work_item", self.item.pk)) == []


def test_random_walks_keep_the_lifecycle_invariants(world):
    IncidentLifecycle.world = world
    try:
        run_state_machine_as_test(
            IncidentLifecycle,
            settings=settings(
                max_examples=60,
                stateful_step_count=25,
                deadline=None,
                database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
            ),
        )
    finally:
        IncidentLifecycle.world = None


def test_terminal_states_refuse_every_further_transition(world):
    for end, fields in ((S.CLOSED, {}), (S.CANCELLED, {"cancel_reason": "duplicate"})):
        inc = f.make_incident(world.agent, assignment_group=world.team.pk)
        if end == S.CLOSED:
            inc = incidents.transition_incident(
                actor=world.agent,
                item=inc,
                to=S.RESOLVED,
                close_code="solved_permanently",
                close_notes="fixed",
            )
        inc = incidents.transition_incident(actor=world.agent, item=inc, to=end, **fields)
        for target in S.INCIDENT.states:
            with pytest.raises(TransitionNotAllowed) as exc:
                incidents.transition_incident(actor=world.admin, item=inc, to=target)
            assert exc.value.allowed == []
