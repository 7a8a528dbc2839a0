"""The API's JSON renderer: orjson, with Django's formats for dates and times.

Rendering was a tenth of a queue request (50 incidents of ~40 fields: 0.6 ms with the standard
library's encoder, 0.2 ms with orjson; issue 6, benchmarks/README.md). The output is the same
JSON as ninja's default renderer gave: dates, times and datetimes still go through Django's
encoder (ISO 8601, milliseconds, `Z` for UTC), as do lazy translations, decimals and anything
else orjson does not know; integer keys become strings, as `json.dumps` made them. Only the
whitespace differs (none).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from django.http import HttpRequest
from ninja.renderers import BaseRenderer
from ninja.responses import NinjaJSONEncoder

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
_encoder_default = NinjaJSONEncoder().default


def _default(o: Any) -> Any:
    """Django's encoding, with datetimes first and without its chain of isinstance tests.

    A queue page holds ~150 datetimes; through ninja's and Django's `default` they cost about
    a tenth of the list request (issue 6). The text is Django's: ISO 8601, milliseconds when
    there are any, `Z` for UTC (tests/api/test_api_json_is_what_django_encoder_wrote.py).
    """
    if type(o) is datetime:
        text = o.isoformat()
        if o.microsecond:
            text = text[:23] + text[26:]
        if text.endswith("+00:00"):
            text = text[:-6] + "Z"
        return text
    return _encoder_default(o)


def dumps(data: Any) -> bytes:
    return orjson.dumps(data, default=_default, option=_OPTIONS)


class JSONRenderer(BaseRenderer):
    media_type = "application/json"
    charset = "utf-8"

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> bytes:
        return dumps(data)
