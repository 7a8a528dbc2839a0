"""Every write to asset records appends to the hash-chained journal (DOMAIN.md §2.7–2.8; ISO
20000 8.2.6), and installations show in their CI's own history."""

from __future__ import annotations

from serval.assets import actions, software
from serval.core import journal
from serval.core.models import JournalEvent
from tests.assets.conftest import days, install, make_ci, make_product, make_version


def _verbs(subject: str, pk: int) -> list[str]:
    events = JournalEvent.objects.filter(subject_type=subject, subject_id=pk).order_by("seq")
    return list(events.values_list("verb", flat=True))


def test_catalogue_installations_licences_and_contracts_are_journaled(world):
    product = make_product(world.admin, "Nginx")
    software.update_product(actor=world.admin, product=product, description="web server")
    version = make_version(world.admin, product, "1.18", end_of_support=days(30))
    software.update_version(actor=world.admin, software_version=version, end_of_life=days(60))
    ci = make_ci(world.agent, "web01")
    inst = install(world.agent, ci, version)
    software.update_installation(actor=world.agent, installation=inst, discovered=True)
    software.delete_installation(actor=world.agent, installation=inst)
    licence = software.create_licence(actor=world.agent, name="L", product=product)
    software.update_licence(actor=world.agent, licence=licence, assigned_users=[world.agent2])
    contract = actions.create_contract(actor=world.agent, name="C", vendor="V")
    actions.delete_contract(actor=world.agent, contract=contract)

    assert _verbs("software_product", product.pk) == ["created", "updated"]
    assert _verbs("software_version", version.pk) == ["created", "updated"]
    assert _verbs("installation", inst.pk) == ["created", "updated", "deleted"]
    assert _verbs("ci", ci.pk)[-2:] == ["software_installed", "software_removed"]
    assert _verbs("licence", licence.pk) == ["created", "updated"]
    changes = JournalEvent.objects.get(subject_type="licence", subject_id=licence.pk, seq=2)
    assert changes.data["changes"]["assigned_users"] == [[], ["bob"]]
    assert _verbs("contract", contract.pk) == ["created", "deleted"]
    assert list(journal.verify()) == []


def test_a_write_that_changes_nothing_journals_nothing(world):
    asset = actions.create_asset(actor=world.agent, name="same")
    actions.update_asset(actor=world.agent, asset=asset, name="same")
    assert _verbs("asset", asset.pk) == ["created"]
