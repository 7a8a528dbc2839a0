"""The catalogue and licence pages with their edit buttons, and the licence form with its
choices, cost the same few queries for many rows as for few (STYLE rule 14)."""

from __future__ import annotations

from serval.assets import software
from tests.assets.conftest import make_product, make_version


def _add(world, start: int, stop: int) -> None:
    for n in range(start, stop):
        product = make_product(world.admin, f"p{n}")
        make_version(world.admin, product, "1")
        make_version(world.admin, product, "2")
        software.create_licence(actor=world.agent, name=f"l{n}", product=product)


def test_pages_and_forms_as_an_administrator(world, client, django_assert_max_num_queries):
    client.force_login(world.admin)
    _add(world, 0, 3)
    licence = software.create_licence(
        actor=world.agent, name="seats", product=make_product(world.admin, "x"), metric="user"
    )
    licence.assigned_users.set([world.agent, world.agent2])
    urls = [
        "/assets/software/",
        "/assets/licences/",
        "/assets/licences/new",
        f"/assets/licences/{licence.pk}/edit",
    ]
    baseline = {}
    for url in urls:
        with django_assert_max_num_queries(20) as ctx:
            assert client.get(url).status_code == 200
        baseline[url] = len(ctx.captured_queries)
    _add(world, 3, 20)
    for url, count in baseline.items():
        with django_assert_max_num_queries(count):
            assert client.get(url).status_code == 200, url
