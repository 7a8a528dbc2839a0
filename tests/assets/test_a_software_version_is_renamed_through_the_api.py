"""Issue 4 (DOMAIN.md §2.8): an administrator corrects a software version's name through the API
(`PATCH /api/v1/assets/versions/{id}` with `version`). It used to answer 500: the action took the
record as a keyword named `version`, which collided with the field of the same name. Renaming
to a name the product already has is a 422 on `version`, and nothing changes."""

from __future__ import annotations

from serval.assets.models import SoftwareVersion
from tests.assets.conftest import assert_problem, days, make_product, make_version


def test_an_administrator_renames_a_version_and_a_taken_name_is_refused(world, api_as):
    admin = api_as(world.admin)
    product = make_product(world.admin, "PostgreSQL")
    old = make_version(world.admin, product, "15", end_of_support=days(100))
    make_version(world.admin, product, "16")

    r = admin.patch(f"assets/versions/{old.pk}", {"version": "15.8"})
    assert r.status_code == 200, r.content
    assert r.json()["version"] == "15.8"
    assert r.json()["end_of_support"] == str(days(100))

    taken = admin.patch(f"assets/versions/{old.pk}", {"version": "16"})
    assert assert_problem(taken, 422)["errors"][0]["field"] == "version"
    assert SoftwareVersion.objects.get(pk=old.pk).version == "15.8"


def test_a_version_cannot_be_renamed_by_an_agent(world, api_as):
    product = make_product(world.admin, "Nginx")
    version = make_version(world.admin, product, "1.24")
    assert_problem(
        api_as(world.agent).patch(f"assets/versions/{version.pk}", {"version": "x"}), 403
    )
    assert SoftwareVersion.objects.get(pk=version.pk).version == "1.24"
