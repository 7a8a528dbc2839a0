"""WCAG 2.2 AA basics and the keyboard shortcut hooks the base layout promises."""

from tests import factories as f


def test_base_layout(world, signed_in):
    inc = f.make_incident(world.agent)
    html = signed_in(world.agent).get(f"/incidents/{inc.number}/").content.decode()
    for needle in (
        'id="global-search"',
        'data-shortcut="create"',
        'data-shortcut="my-work"',
        'data-shortcut="incidents"',
        'data-shortcut-focus="reply"',
        'id="shortcuts-dialog"',
        '<meta name="csrf-token"',
        '<main id="main"',
        'class="skip-link" href="#main"',
        "<nav ",
        "<footer",
        'action="/accounts/logout/"',
        "Serval 0.",
    ):
        assert needle in html, needle


def test_form_fields_have_labels(world, signed_in):
    import re

    html = signed_in(world.agent).get("/incidents/new").content.decode()
    ids = re.findall(r'<(?:input|select|textarea)[^>]*\sid="([^"]+)"', html)
    assert ids
    for field_id in ids:
        assert f'for="{field_id}"' in html, field_id


def test_times_follow_the_users_time_zone(world, signed_in):
    world.agent.time_zone = "Asia/Tokyo"
    world.agent.save(update_fields=["time_zone"])
    html = signed_in(world.agent).get("/").content.decode()
    assert "Times are shown in Asia/Tokyo" in html
