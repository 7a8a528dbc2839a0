"""The OpenAPI document names each response and request body after its schema class, so two
different classes with one name become one component and one of the endpoints is documented
with the other's shape. That happened: `GET /api/v1/sla/calendars` was described as the change
calendar and `GET /api/v1/changes/risk-policy` as an approval policy, so every generated client
and the schema sweep rejected their real answers. Same-named classes must describe one shape."""

from __future__ import annotations

import json
from collections import defaultdict

from ninja import Schema

from serval.api.urls import api


def _subclasses(cls: type) -> set[type]:
    found: set[type] = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_subclasses(sub)}
    return found


def test_no_two_shapes_share_a_component_name():
    components = api.get_openapi_schema()["components"]["schemas"]
    by_name: dict[str, dict[str, type]] = defaultdict(dict)
    for cls in _subclasses(Schema):
        if cls.__name__ in components:
            shape = json.dumps(cls.model_json_schema(), sort_keys=True)
            by_name[cls.__name__][shape] = cls
    clashes = {
        name: sorted(f"{c.__module__}.{c.__qualname__}" for c in shapes.values())
        for name, shapes in by_name.items()
        if len(shapes) > 1
    }
    assert not clashes, clashes
