"""SECURITY-REFERENCE A5 (RT CVE-2023-45024, OTRS CVE-2021-21443): search runs on top of
`visible_to`, so it returns only what the searcher may read — never another tenant's items nor
another organization's, whatever the words (DESIGN.md rule 7: one interface, two engines)."""

from __future__ import annotations

from serval.incidents import actions as incidents
from serval.work.models import WorkItem
from tests import factories as f


def _found(user, text):
    return set(WorkItem.objects.visible_to(user).search(text).values_list("pk", flat=True))


def test_the_same_words_find_only_the_searchers_tenant(world):
    mine = f.make_incident(world.agent, title="Zebra printer jammed")
    theirs = f.make_incident(world.outsider_agent, title="Zebra printer jammed")
    assert _found(world.agent, "zebra") == {mine.pk}
    assert _found(world.outsider_agent, "zebra printer") == {theirs.pk}
    assert _found(world.agent, theirs.number) == set()
    assert _found(world.agent, mine.number.lower()) == {mine.pk}


def test_requesters_find_only_their_own_and_their_organizations(world):
    rita = f.make_incident(world.requester, title="Quokka laptop slow")
    olga = f.make_incident(world.requester_other_org, title="Quokka laptop slow")
    assert _found(world.requester_same_org, "quokka") == {rita.pk}
    assert _found(world.requester_other_org, "quokka") == {olga.pk}
    assert _found(world.agent, "quokka") == {rita.pk, olga.pk}


def test_search_sees_descriptions_prefixes_and_edits(world):
    inc = f.make_incident(world.agent, title="VPN", description="Tunnel drops after handshake")
    assert _found(world.agent, "handsh") == {inc.pk}
    incidents.update_incident(actor=world.agent, item=inc, title="Kerberos ticket expired")
    assert _found(world.agent, "kerberos") == {inc.pk}
    assert _found(world.agent, "VPN") == set()
    assert _found(world.agent, "") >= {inc.pk}
