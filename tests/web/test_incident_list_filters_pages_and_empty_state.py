"""Web UI: the incident list filters, sorts, pages and says so when nothing matches."""

from serval.incidents import actions
from tests import factories as f


def test_open_is_the_default_and_state_all_shows_finished_ones(world, signed_in):
    open_item = f.make_incident(world.agent, title="Still broken")
    done = f.make_incident(world.agent, title="Already fixed")
    actions.transition_incident(
        actor=world.agent, item=done, to="resolved", close_code="solved_remotely", close_notes="ok"
    )
    client = signed_in(world.agent)
    default = client.get("/incidents/").content.decode()
    assert open_item.number in default and done.number not in default
    everything = client.get("/incidents/?state=all").content.decode()
    assert open_item.number in everything and done.number in everything
    resolved = client.get("/incidents/?state=resolved").content.decode()
    assert done.number in resolved and open_item.number not in resolved


def test_priority_team_assignee_service_and_text_filters(world, signed_in):
    mine = f.make_incident(
        world.agent,
        title="Printer jam on floor 3",
        impact=1,
        urgency=1,
        assignment_group=world.team.pk,
        assignee=world.agent.pk,
        service="Printing",
    )
    other = f.make_incident(world.agent, title="VPN down", assignment_group=world.team2.pk)
    client = signed_in(world.agent)

    def numbers(query):
        html = client.get("/incidents/?" + query).content.decode()
        return {n for n in (mine.number, other.number) if n in html}

    assert numbers("priority=1") == {mine.number}
    assert numbers(f"team={world.team2.pk}") == {other.number}
    assert numbers("team=mine") == {mine.number}
    assert numbers("assignee=me") == {mine.number}
    assert numbers("assignee=unassigned") == {other.number}
    assert numbers("service=print") == {mine.number}
    assert numbers("q=printer") == {mine.number}
    assert numbers("q=" + other.number) == {other.number}


def test_pages_of_25_with_counts(world, signed_in):
    for n in range(27):
        f.make_incident(world.agent, title=f"Item {n}")
    client = signed_in(world.agent)
    first = client.get("/incidents/").content.decode()
    assert "27 incidents" in first
    assert "Showing 1–25 of 27" in first
    second = client.get("/incidents/?page=2").content.decode()
    assert "Showing 26–27 of 27" in second


def test_sorting_is_from_an_allow_list(world, signed_in):
    f.make_incident(world.agent)
    client = signed_in(world.agent)
    assert client.get("/incidents/?sort=priority").status_code == 200
    # An unknown sort key is not passed to order_by (SECURITY-REFERENCE C1).
    response = client.get("/incidents/?sort=caller__password")
    assert response.status_code == 200


def test_empty_states(world, signed_in):
    client = signed_in(world.agent)
    assert "No open incidents" in client.get("/incidents/").content.decode()
    filtered = client.get("/incidents/?q=nothingmatchesthis").content.decode()
    assert "No incident matches these filters" in filtered


def test_htmx_gets_only_the_results(world, signed_in):
    f.make_incident(world.agent, title="Partial please")
    response = signed_in(world.agent).get("/incidents/?state=all", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert "<html" not in html
    assert "Partial please" in html


def test_global_search_jumps_straight_to_a_number(world, signed_in):
    inc = f.make_incident(world.agent)
    response = signed_in(world.agent).get(f"/incidents/?q={inc.number.lower()}&state=all&go=1")
    assert response.status_code == 302
    assert response["Location"] == f"/incidents/{inc.number}/"


def test_team_queue_shows_one_group_and_hides_it_from_requesters(world, signed_in):
    ours = f.make_incident(world.agent, assignment_group=world.team.pk)
    theirs = f.make_incident(world.agent, assignment_group=world.team2.pk)
    html = signed_in(world.agent).get(f"/queues/{world.team.pk}/").content.decode()
    assert ours.number in html and theirs.number not in html
    assert signed_in(world.requester).get(f"/queues/{world.team.pk}/").status_code == 404
    assert signed_in(world.outsider_agent).get(f"/queues/{world.team.pk}/").status_code == 404
    overview = signed_in(world.agent).get("/queues/").content.decode()
    assert world.team.name in overview and world.outsider_team.name not in overview


def test_big_lists_stop_counting_at_the_cap(world, signed_in, monkeypatch):
    from serval.web import paging

    for n in range(8):
        f.make_incident(world.agent, title=f"Item {n}", impact=1, urgency=1)
    monkeypatch.setattr(paging, "COUNT_CAP", 5)
    client = signed_in(world.agent)
    html = client.get("/incidents/").content.decode()
    assert "More than 5 incidents" in html
    assert "Showing 1–5 of more than 5; narrow the filters" in html
    home = client.get("/").content.decode()
    assert ">5+</div>" in home  # open P1/P2 in reach
    monkeypatch.setattr(paging, "COUNT_CAP", 10)
    assert "8 incidents" in client.get("/incidents/").content.decode()
