"""STYLE.md rule 14: every list has a query-count guard (no N+1 with 20 items)."""

from tests import factories as f


def _make(world, n):
    for i in range(n):
        f.make_incident(
            world.agent,
            title=f"Item {i}",
            assignment_group=world.team.pk,
            assignee=world.agent.pk,
            caller=world.requester.username,
        )


def test_list_queries_do_not_grow_with_rows(world, signed_in, django_assert_num_queries):
    client = signed_in(world.agent)
    _make(world, 20)
    # session, user, reach (with the tenants' paths, so shared reach reads nothing more);
    # count, page (values), the page's clocks, its impacted services; for the filter selects:
    # teams, agents, services; saved views.
    with django_assert_num_queries(11):
        response = client.get("/incidents/")
    assert response.status_code == 200
    assert response.content.decode().count("/incidents/INC-") >= 20
    with django_assert_num_queries(11):
        response = client.get("/incidents/?sort=breach&assignee=me")
    assert response.content.decode().count("/incidents/INC-") >= 20


def test_an_htmx_refresh_reads_only_the_results(world, signed_in, django_assert_num_queries):
    client = signed_in(world.agent)
    _make(world, 20)
    # session, user, reach; count, page, clocks, impacted services — no select options.
    with django_assert_num_queries(7):
        response = client.get("/incidents/?state=open", HTTP_HX_REQUEST="true")
    assert response.content.decode().count("/incidents/INC-") >= 20


def test_a_team_queue_is_flat_too(world, signed_in, django_assert_num_queries):
    client = signed_in(world.agent)
    _make(world, 20)
    # The team itself instead of the teams select's options.
    with django_assert_num_queries(11):
        response = client.get(f"/queues/{world.team.pk}/?sort=breach")
    assert response.content.decode().count("/incidents/INC-") >= 20


def test_my_work_queries_do_not_grow_with_rows(world, signed_in, django_assert_num_queries):
    client = signed_in(world.agent)
    _make(world, 20)
    # session, user, reach; per section its rows (values), and its count when the rows fill
    # it (only "assigned to me" here); the open P1/P2 count.
    with django_assert_num_queries(8):
        html = client.get("/").content.decode()
    assert html.count("/incidents/INC-") >= 15
    assert '<span class="badge bg-secondary-lt ms-2">20</span>' in html


def test_incident_page_queries_are_bounded(world, signed_in, django_assert_num_queries):
    from serval.incidents import actions

    client = signed_in(world.agent)
    inc = f.make_incident(world.agent, assignment_group=world.team.pk)
    for i in range(10):
        actions.comment_on_incident(actor=world.agent, item=inc, body=f"note {i}")
    # session, user, reach (with the tenants' paths: shared reach reads nothing more); the
    # item with its group and major-incident detail (also the visibility check), then the
    # people it names together with its watchers; for the side panel and the transition
    # dialogs: teams, the group's members (each read once however many forms show them); the
    # SLA card: the clocks with their definitions and calendars, and the reference version
    # the calendars' cached descriptions are checked against (the timeline reuses those
    # clocks); the timeline; one probe saying the item has no attachments and no children
    # (so neither is read); the affected CIs & impacted services card
    # (serval.cmdb.worklinks.card): one probe, which says this item links nothing, so its
    # three queries are not run (what may be linked is suggested as one types, not read
    # here); the links card's probe, which says it has no links on either side (with some:
    # one query per side that has them, each with its other end); the callers datalist.
    with django_assert_num_queries(14):
        assert client.get(f"/incidents/{inc.number}/").status_code == 200
