"""Issue 4: every CMDB change is journaled, so a CI's history is visible (ISO 20000 8.2.6)."""

from __future__ import annotations

from serval.cmdb import actions
from serval.core import journal
from serval.core.models import JournalEvent
from serval.services import actions as services
from tests.cmdb.conftest import make_ci, relate


def _verbs(subject: str, pk: int) -> list[str]:
    qs = JournalEvent.objects.filter(subject_type=subject, subject_id=pk).order_by("seq")
    return list(qs.values_list("verb", flat=True))


def test_the_journal_tells_a_cis_story_and_verifies(world):
    app, db = make_ci(world.agent, "app"), make_ci(world.agent, "db", "db_instance")
    actions.update_ci(actor=world.agent, ci=db, operational_status="degraded")
    rel = relate(world.agent, app, "depends_on", db)
    service = services.create_service(actor=world.manager, name="Shop")
    link = actions.link_service(actor=world.agent, service=service, ci=app)
    actions.unlink_service(actor=world.agent, link=link)
    actions.delete_relationship(actor=world.agent, relationship=rel)
    actions.delete_ci(actor=world.agent, ci=app)
    assert _verbs("ci", db.pk) == [
        "created",
        "updated",
        "relationship_added",
        "relationship_removed",
    ]
    assert _verbs("ci", app.pk) == [
        "created",
        "relationship_added",
        "service_linked",
        "service_unlinked",
        "relationship_removed",
        "deleted",
    ]
    assert _verbs("ci_relationship", rel.pk) == ["created", "deleted"]
    assert _verbs("service", service.pk) == ["created", "ci_linked", "ci_unlinked"]
    changes = JournalEvent.objects.filter(subject_type="ci", subject_id=db.pk, verb="updated").get()
    assert changes.data["changes"]["operational_status"] == ["operational", "degraded"]
    assert list(journal.verify("ci")) == []


def test_deleting_a_ci_journals_its_relationships_on_the_other_end(world):
    app, db = make_ci(world.agent, "app"), make_ci(world.agent, "db")
    rel = relate(world.agent, app, "depends_on", db)
    actions.delete_ci(actor=world.agent, ci=db)
    assert _verbs("ci", app.pk)[-1] == "relationship_removed"
    assert _verbs("ci_relationship", rel.pk) == ["created", "deleted"]
