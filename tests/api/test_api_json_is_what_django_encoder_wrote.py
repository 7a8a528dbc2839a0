"""The API renders with orjson for speed (serval.api.rendering, issue 6); clients must get the
same JSON values as Django's encoder gave: ISO 8601 with milliseconds and `Z`, dates, times,
decimals, lazy translations, UUIDs, integer keys as strings."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

from django.utils.translation import gettext_lazy
from hypothesis import given
from hypothesis import strategies as st
from ninja.responses import NinjaJSONEncoder

from serval.api.rendering import dumps

_ZONES = [None, UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-3))]


def _django(value):
    return json.loads(json.dumps(value, cls=NinjaJSONEncoder))


def test_known_values_render_as_django_rendered_them():
    value = {
        "at": datetime(2026, 12, 3, 6, 7, 8, 123456, tzinfo=UTC),
        "local": datetime(2026, 12, 3, 6, 7, 8, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        "day": date(2026, 12, 3),
        "clock": time(9, 30, 15, 500000),
        "amount": Decimal("12.50"),
        "label": gettext_lazy("Incident"),
        "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "by_id": {1: "one", 2: ["two"]},
        "nothing": None,
        "flag": True,
    }
    assert json.loads(dumps(value)) == _django(value)
    assert json.loads(dumps(value))["at"] == "2026-12-03T06:07:08.123Z"


@given(
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers(-(2**53), 2**53)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text()
        # Naive, UTC and offset datetimes: the renderer formats datetimes itself, first.
        | st.datetimes(timezones=st.sampled_from(_ZONES)),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=8), children, max_size=4)
        ),
        max_leaves=20,
    )
)
def test_any_document_renders_as_django_rendered_it(value):
    assert json.loads(dumps(value)) == _django(value)
