"""SECURITY-REFERENCE B1, B4: scripts in titles, descriptions and comments stay inert in the
list, on My work and on the incident page."""

from serval.incidents import actions
from tests import factories as f
from tests.web.htmlcheck import active_content

PAYLOAD_TITLE = '<script>alert("t")</script>"><svg onload=alert(1)>'
PAYLOAD_BODY = (
    "<script>alert('d')</script>\n\n<img src=x onerror=alert(2)>\n\n"
    "[click](javascript:alert(3)) [data](data:text/html;base64,PHNjcmlwdD4=) "
    '<a href="javascript:alert(4)">raw</a>'
)


def _assert_inert(html):
    assert active_content(html) == []


def test_payloads_are_inert_everywhere(world, signed_in):
    inc = f.make_incident(
        world.agent,
        title=PAYLOAD_TITLE,
        description=PAYLOAD_BODY,
        caller=world.requester.username,
        assignee=world.agent.pk,
        assignment_group=world.team.pk,
    )
    actions.comment_on_incident(actor=world.requester, item=inc, body=PAYLOAD_BODY)
    client = signed_in(world.agent)
    for path in ("/incidents/?state=all", "/", f"/incidents/{inc.number}/"):
        html = client.get(path).content.decode()
        _assert_inert(html)
        assert "&lt;script&gt;" in html, path


def test_markdown_still_renders(world, signed_in):
    inc = f.make_incident(world.agent, description="**bold** and [a link](https://example.com)")
    html = signed_in(world.agent).get(f"/incidents/{inc.number}/").content.decode()
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.com"' in html
    assert 'rel="noopener noreferrer nofollow"' in html
