"""The composer: comments and internal work notes, by htmx or a plain POST."""

from serval.core.models import JournalEvent
from tests import factories as f


def test_htmx_comment_returns_the_new_timeline_and_version(world, signed_in):
    inc = f.make_incident(world.agent)
    response = signed_in(world.agent).post(
        f"/incidents/{inc.number}/comment", {"body": "On it **now**"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="card mb-3" id="timeline"')
    assert "<strong>now</strong>" in html
    inc.refresh_from_db()
    assert response["Serval-Version"] == str(inc.version)


def test_an_empty_comment_returns_the_composer_with_the_error(world, signed_in):
    inc = f.make_incident(world.agent)
    response = signed_in(world.agent).post(
        f"/incidents/{inc.number}/comment", {"body": "   "}, HTTP_HX_REQUEST="true"
    )
    assert response["HX-Retarget"] == "#composer"
    assert 'id="composer"' in response.content.decode()
    assert not JournalEvent.objects.filter(verb="comment").exists()


def test_work_notes_are_internal_and_requesters_cannot_write_them(world, signed_in):
    inc = f.make_incident(world.requester)
    signed_in(world.agent).post(
        f"/incidents/{inc.number}/comment", {"body": "internal", "internal": "on"}
    )
    signed_in(world.requester).post(
        f"/incidents/{inc.number}/comment", {"body": "from caller", "internal": "on"}
    )
    notes = {
        e.data["body"]: e.internal
        for e in JournalEvent.objects.filter(verb__in=["comment", "work_note"])
    }
    assert notes == {"internal": True, "from caller": False}


def test_plain_post_redirects_to_the_timeline(world, signed_in):
    inc = f.make_incident(world.agent)
    response = signed_in(world.agent).post(f"/incidents/{inc.number}/comment", {"body": "hi"})
    assert response.status_code == 302
    assert response["Location"].endswith("#timeline")
