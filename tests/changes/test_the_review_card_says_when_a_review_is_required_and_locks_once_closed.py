"""The review card (DOMAIN.md §2.3 PIR, mandatory for unsuccessful, emergency and high-risk
changes): it says clearly when and why a review is required and that it blocks closing, saves a
draft or completes it in place (htmx) or by a plain post, and is read-only once closed."""

from __future__ import annotations

from django.utils import timezone

from serval.changes import actions, panels, review
from tests.changes.risk_helpers import client_for, detail, fresh, implemented, make_change

HTMX = {"HTTP_HX_REQUEST": "true"}


def _data(change, do="save", **fields):
    base = {
        "version": str(fresh(change).version),
        "do": do,
        "objectives_met": "",
        "backout_executed": "",
        "lessons": "",
        "follow_ups": "",
    }
    return {**base, **fields}


def test_an_unsuccessful_change_shows_review_required_and_blocks_closing(world):
    change = implemented(
        world.agent, make_change(world.agent, assignment_group=world.team.pk), "unsuccessful"
    )
    html = client_for(world.agent).get(f"/changes/review/{change.number}/").content.decode()
    assert "data-review-required" in html and "the change was unsuccessful" in html
    assert "cannot be closed until the review is complete" in html
    assert 'data-review-status="not_started"' in html
    assert " style=" not in html


def test_an_emergency_change_announces_the_review_before_it_is_implemented(world):
    change = actions.create_change(
        actor=world.agent, title="Hotfix", change_type="emergency", justification="Outage."
    )
    shown = dict(panels.render(fresh(change), detail(change), world.agent))
    assert "changes/_review_panel.html" in shown
    context = shown["changes/_review_panel.html"]["panel"]
    assert context["before_review"] and context["required"] == ["it is an emergency change"]
    plain = make_change(world.agent)
    assert "changes/_review_panel.html" not in dict(
        panels.render(fresh(plain), detail(plain), world.agent)
    )


def test_htmx_saves_a_draft_and_completes_in_place(world):
    change = implemented(world.agent, make_change(world.agent, assignment_group=world.team.pk))
    client = client_for(world.agent)
    url = f"/changes/review/{change.number}/save"
    draft = client.post(url, _data(change, objectives_met="yes", lessons="Went well."), **HTMX)
    html = draft.content.decode()
    assert html.startswith('<section class="card mb-3" id="review-panel"')
    assert 'data-review-status="draft"' in html and "Went well." in html
    refused = client.post(
        url, _data(change, do="complete", objectives_met="yes", lessons="Went well."), **HTMX
    )
    assert "Say whether the backout plan was executed." in refused.content.decode()
    done = client.post(
        url,
        _data(
            change, do="complete", objectives_met="yes", backout_executed="no", lessons="Went well."
        ),
        **HTMX,
    )
    html = done.content.decode()
    assert 'data-review-status="completed"' in html and "Reopen the review" in html
    assert done["Serval-Version"] == str(fresh(change).version)


def test_without_javascript_the_form_posts_and_returns_to_the_change(world):
    change = implemented(world.agent, make_change(world.agent, assignment_group=world.team.pk))
    client = client_for(world.agent)
    response = client.post(f"/changes/review/{change.number}/save", _data(change, lessons="Ok."))
    assert response.status_code == 302 and response["Location"].endswith("#review-panel")
    bad = client.post(
        f"/changes/review/{change.number}/save", _data(change, objectives_met="perhaps")
    )
    assert bad.status_code == 422
    stale = client.post(
        f"/changes/review/{change.number}/save", {**_data(change, lessons="x"), "version": "1"}
    )
    assert stale.status_code == 422 and "reload it and try again" in stale.content.decode()


def test_once_closed_the_review_is_read_only(world):
    change = implemented(
        world.agent, make_change(world.agent, assignment_group=world.team.pk), "unsuccessful"
    )
    review.complete_review(
        actor=world.agent,
        item=change,
        objectives_met=False,
        backout_executed=True,
        lessons="Rollback worked.",
    )
    actions.transition_change(actor=world.agent, item=fresh(change), to="closed")
    client = client_for(world.agent)
    html = client.get(f"/changes/review/{change.number}/").content.decode()
    assert "data-review-read-only" in html and "The change is closed" in html
    assert "Rollback worked." in html and "<textarea" not in html and "Reopen" not in html
    assert f"by {world.agent.display_name}, " in html
    response = client.post(f"/changes/review/{change.number}/save", _data(change, lessons="Edit"))
    assert response.status_code == 422
    assert (
        client.post(f"/changes/review/{change.number}/save", _data(change, do="reopen")).status_code
        == 422
    )


def test_requesters_and_other_tenants_get_404(world):
    change = implemented(world.agent, make_change(world.agent, assignment_group=world.team.pk))
    for user in (world.requester, world.outsider_agent):
        assert client_for(user).get(f"/changes/review/{change.number}/").status_code == 404
        assert (
            client_for(user)
            .post(f"/changes/review/{change.number}/save", _data(change))
            .status_code
            == 404
        )
    assert timezone.now()
