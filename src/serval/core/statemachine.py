"""A declarative state machine: states and transitions as data, read by UI, API and actions.

Each work-item kind declares one `StateMachine`. The incident page draws its buttons from
`available()`, the API answers 409 with the same list, and the action refuses anything else —
there is no second copy of the rules to drift.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from serval.core.errors import TransitionNotAllowed

VALUE_CHAIN_ACTIVITIES = (
    "plan",
    "improve",
    "engage",
    "design_transition",
    "obtain_build",
    "deliver_support",
)

AGENT_ROLES = frozenset({"agent", "manager", "admin"})
ALL_ROLES = AGENT_ROLES | {"requester"}


@dataclass(frozen=True)
class State:
    key: str
    label: str
    activity: str
    # active | waiting | done: what value-stream analytics counts as touch vs wait time.
    category: str = "active"
    terminal: bool = False

    def __post_init__(self) -> None:
        assert self.activity in VALUE_CHAIN_ACTIVITIES, self.activity
        assert self.category in {"active", "waiting", "done"}, self.category


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    label: str
    # Fields the caller must supply (or the item must already have) for the move.
    requires: tuple[str, ...] = ()
    roles: frozenset[str] = AGENT_ROLES
    style: str = "secondary"
    # Extra guard over (item, actor); returns an error message or "" when allowed.
    guard: Callable[[Any, Any], str] | None = field(default=None, compare=False)


class StateMachine:
    def __init__(
        self, *, kind: str, initial: str, states: Iterable[State], transitions: Iterable[Transition]
    ) -> None:
        self.kind = kind
        self.initial = initial
        self.states = {s.key: s for s in states}
        self.transitions = tuple(transitions)
        keys = set(self.states)
        assert initial in keys
        # Each state's transitions, in declaration order: every list row and page asks for
        # them, and scanning all transitions for each of a page's 50 rows showed up (issue 6).
        self._outgoing: dict[str, tuple[Transition, ...]] = {}
        for t in self.transitions:
            assert t.source in keys and t.target in keys, t
            assert not self.states[t.source].terminal, t
            self._outgoing[t.source] = (*self._outgoing.get(t.source, ()), t)

    def choices(self) -> list[tuple[str, str]]:
        return [(s.key, s.label) for s in self.states.values()]

    def outgoing(self, source: str) -> list[Transition]:
        return list(self._outgoing.get(source, ()))

    def available(self, item: Any, actor: Any) -> list[Transition]:
        """Transitions this actor may fire from the item's current state."""
        role = getattr(actor, "role", None)
        return [
            t
            for t in self._outgoing.get(item.state, ())
            if role in t.roles and not (t.guard and t.guard(item, actor))
        ]

    def get(self, item: Any, actor: Any, target: str) -> Transition:
        """The transition to `target`, or a 409-shaped error naming the allowed targets."""
        allowed = self.available(item, actor)
        for t in allowed:
            if t.target == target:
                return t
        names = [t.target for t in allowed]
        if target not in self.states:
            detail = f"Unknown state {target!r}."
        else:
            blocked = next(
                (t for t in self.outgoing(item.state) if t.target == target and t.guard), None
            )
            reason = blocked.guard(item, actor) if blocked and blocked.guard else ""
            detail = reason or (f"Cannot move from {item.state!r} to {target!r}.")
        raise TransitionNotAllowed(detail, allowed=names)
