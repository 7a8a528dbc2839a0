"""DOMAIN.md §2.7 seed class tree and relationship-type table, seeded as data by migration."""

from __future__ import annotations

from serval.cmdb.attributes import effective_schema
from serval.cmdb.models import CIClass, RelationshipType
from serval.cmdb.seed import CLASSES
from tests.cmdb.conftest import cls


def test_every_seed_class_exists_with_its_parent(db):
    for name, _label, parent, _schema in CLASSES:
        found = CIClass.objects.get(tenant__isnull=True, name=name)
        assert (found.parent.name if found.parent else None) == parent


def test_a_subclass_inherits_its_parents_attributes(db):
    names = [f["name"] for f in effective_schema(cls("server"))]
    assert names[:2] == ["model", "manufacturer"] and "cpu_count" in names


def test_relationship_types_carry_their_rules(db):
    types = {t.name: t for t in RelationshipType.objects.all()}
    assert types["depends_on"].is_dependency and types["depends_on"].reverse_label == "Used by"
    assert types["contains"].single_parent
    assert not types["connects_to"].is_dependency
