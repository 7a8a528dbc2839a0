"""SECURITY-REFERENCE C1 / DESIGN.md §4 ("bad payloads are 4xx, never 500"): whatever text a
client sends in an incident's fields, comment or resolution, the action either stores it or
answers a field error — identically on SQLite and PostgreSQL (which refuses NUL characters)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from serval.core import journal
from serval.core.errors import ValidationFailed
from serval.incidents import actions as incidents
from serval.work.models import WorkItem
from tests import factories as f

BOUNDED = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@BOUNDED
@given(title=st.text(max_size=250), description=st.text(max_size=300), service=st.text(max_size=50))
@example(title="a\x00b", description="", service="")
@example(title="ok", description="line\x00break", service="")
@example(title="ok", description="", service="\x00")
def test_any_text_is_stored_or_refused_as_a_field_error(world, title, description, service):
    count = WorkItem.objects.count()
    try:
        inc = incidents.create_incident(
            actor=world.agent, title=title, description=description, service=service
        )
    except ValidationFailed as exc:
        assert set(exc.as_dict()) <= {"title", "description", "service"}
        assert WorkItem.objects.count() == count
        return
    stored = WorkItem.objects.get(pk=inc.pk)
    assert stored.title == title.strip() and stored.description == description
    assert "\x00" not in stored.title + stored.description + stored.service


@BOUNDED
@given(body=st.text(max_size=200))
@example(body="\x00")
@example(body="hello\x00world")
def test_any_comment_is_stored_or_refused_as_a_field_error(world, body):
    inc = f.make_incident(world.agent)
    try:
        incidents.comment_on_incident(actor=world.agent, item=inc, body=body)
    except ValidationFailed as exc:
        assert set(exc.as_dict()) == {"body"}
    assert list(journal.verify("work_item", inc.pk)) == []


@pytest.mark.parametrize("field", ["close_notes", "cancel_reason"])
def test_a_nul_in_a_resolution_or_reason_is_a_field_error(world, field):
    inc = f.make_incident(world.agent)
    to = "resolved" if field == "close_notes" else "cancelled"
    fields = {"close_code": "solved_permanently"} if to == "resolved" else {}
    with pytest.raises(ValidationFailed) as exc:
        incidents.transition_incident(
            actor=world.agent, item=inc, to=to, **{field: "a\x00"}, **fields
        )
    assert field in exc.value.as_dict()


@pytest.mark.parametrize("field", ["caller", "parent", "assignee"])
def test_a_nul_in_a_reference_is_a_field_error(world, field):
    with pytest.raises(ValidationFailed) as exc:
        incidents.create_incident(actor=world.agent, title="x", **{field: "rita\x00"})
    assert field in exc.value.as_dict()


@pytest.mark.parametrize("value", ["a\x00b", 42, ["x"]])
def test_bad_major_incident_texts_are_field_errors(world, value):
    inc = f.make_incident(world.agent)
    with pytest.raises(ValidationFailed) as exc:
        incidents.propose_major(actor=world.agent, item=inc, business_impact=value)
    assert "business_impact" in exc.value.as_dict()
    incidents.propose_major(actor=world.agent, item=inc, business_impact=None)
    with pytest.raises(ValidationFailed) as exc:
        incidents.decide_major(actor=world.manager, item=inc, accept=False, reason=value)
    assert "reason" in exc.value.as_dict()
