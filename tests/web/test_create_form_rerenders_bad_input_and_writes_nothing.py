"""DESIGN.md rule 1: the create form shows the action's errors and keeps what was typed."""

from serval.work.models import WorkItem

URL = "/incidents/new"


def _base(world, **extra):
    data = {
        "title": "Mail server down",
        "description": "Nobody gets **mail**.",
        "impact": "1",
        "urgency": "2",
        "caller": world.requester.username,
        "assignment_group": str(world.team.pk),
        "assignee": "",
        "service": "E-mail",
        "configuration_item": "mx-01",
        "category": "Software",
        "channel": "phone",
    }
    data.update(extra)
    return data


def test_a_valid_form_creates_and_redirects(world, signed_in):
    response = signed_in(world.agent).post(URL, _base(world))
    assert response.status_code == 302
    item = WorkItem.objects.get()
    assert response["Location"] == f"/incidents/{item.number}/"
    assert (item.priority, item.caller, item.assignment_group) == (2, world.requester, world.team)
    assert item.channel == "phone"


def test_unknown_caller_is_a_field_error_and_nothing_is_written(world, signed_in):
    response = signed_in(world.agent).post(URL, _base(world, caller="no-such-person"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Unknown user." in html
    assert 'value="Mail server down"' in html
    assert "Nobody gets **mail**." in html
    assert 'value="mx-01"' in html
    assert not WorkItem.objects.exists()


def test_an_assignee_outside_the_group_is_refused(world, signed_in):
    response = signed_in(world.agent).post(URL, _base(world, assignee=str(world.agent2.pk)))
    assert response.status_code == 200
    assert not WorkItem.objects.exists()


def test_missing_title_is_refused(world, signed_in):
    response = signed_in(world.agent).post(URL, _base(world, title=""))
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert not WorkItem.objects.exists()


def test_another_tenants_group_is_not_a_choice(world, signed_in):
    data = _base(world, assignment_group=str(world.outsider_team.pk))
    response = signed_in(world.agent).post(URL, data)
    assert response.status_code == 200
    assert not WorkItem.objects.exists()


def test_requesters_get_a_reduced_form_and_cannot_route(world, signed_in):
    client = signed_in(world.requester)
    html = client.get(URL).content.decode()
    assert 'name="assignment_group"' not in html and 'name="caller"' not in html
    response = client.post(
        URL,
        {
            "title": "My screen flickers",
            "impact": "3",
            "urgency": "3",
            "assignment_group": str(world.team.pk),
            "caller": world.agent.username,
        },
    )
    assert response.status_code == 302
    item = WorkItem.objects.get()
    assert item.caller == world.requester
    assert item.assignment_group is None
    assert item.channel == "portal"


def test_priority_preview_and_assignee_options(world, signed_in):
    client = signed_in(world.agent)
    assert "P2" in client.get("/incidents/priority?impact=1&urgency=2").content.decode()
    assert "—" in client.get("/incidents/priority?impact=9&urgency=x").content.decode()
    options = client.get(f"/incidents/assignees?assignment_group={world.team.pk}")
    assert world.agent.username in options.content.decode() or "alice" in options.content.decode()
    outsider = client.get(f"/incidents/assignees?assignment_group={world.outsider_team.pk}")
    assert world.outsider_agent.username not in outsider.content.decode()
    assert signed_in(world.requester).get("/incidents/assignees").status_code == 404
