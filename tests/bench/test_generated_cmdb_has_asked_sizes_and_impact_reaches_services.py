"""`serval bench-data --cis N --relationships M` writes the graph the impact benchmark walks.

Issue 6 (a CMDB graph with a realistic shape: services at the top, shared infrastructure
underneath, some cycles) and DOMAIN.md §2.7 (typed relationships, no self-loops, impact travels
from child to parent over dependency edges up to the services). Bulk inserts skip the actions,
so this checks what the actions would guarantee: exact counts, valid foreign keys within one
tenant, unique identifiers, and that an upstream walk from a generated leaf ends at a service.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F

from serval.cmdb.impact import walk
from serval.cmdb.models import CI, CIRelationship, ServiceCI
from serval.services.models import Service

pytestmark = pytest.mark.django_db


def test_generator_makes_n_cis_and_m_relationships_with_valid_links() -> None:
    out = StringIO()
    call_command(
        "bench_data",
        "--work-items=0",
        "--users=2",
        "--teams=2",
        "--tenants=2",
        "--cis=400",
        "--relationships=1200",
        "--no-progress",
        stdout=out,
    )
    assert CI.objects.count() == 400
    assert CIRelationship.objects.count() == 1200
    assert "CMDB: 400 CIs, 1,200 relationships" in out.getvalue()
    # Every relationship joins two CIs of its own tenant, never a CI to itself, never twice.
    assert not CIRelationship.objects.exclude(parent__tenant=F("tenant")).exists()
    assert not CIRelationship.objects.exclude(child__tenant=F("tenant")).exists()
    assert not CIRelationship.objects.filter(parent=F("child")).exists()
    assert not (
        CIRelationship.objects.values("parent", "type", "child")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )
    assert not ServiceCI.objects.exclude(ci__tenant=F("tenant")).exists()
    assert not ServiceCI.objects.exclude(service__tenant=F("tenant")).exists()
    hosts = [h for h in CI.objects.values_list("hostname", flat=True) if h]
    assert len(hosts) == len(set(hosts))
    # Application-to-application dependencies in both directions: the graph has cycles.
    pairs = set(CIRelationship.objects.values_list("parent_id", "child_id"))
    assert any((c, p) in pairs for p, c in pairs)
    assert Service.objects.filter(kind="offering").exists()


def test_upstream_impact_from_a_generated_leaf_reaches_a_service() -> None:
    call_command(
        "bench_data",
        "--work-items=0",
        "--users=1",
        "--teams=1",
        "--tenants=1",
        "--cis=200",
        "--no-progress",
        stdout=StringIO(),
    )
    assert CIRelationship.objects.count() == 600  # three per CI unless told otherwise
    leaf = CI.objects.filter(ci_class__name="storage").order_by("pk").first()
    assert leaf is not None
    impact = walk([leaf.pk], direction="upstream", depth=6)
    assert impact.cis
    assert impact.services
    reached = {h.id for h in impact.services}
    assert Service.objects.filter(pk__in=reached).exists()
