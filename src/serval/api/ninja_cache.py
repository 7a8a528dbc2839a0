"""Share django-ninja's per-status response wrappers between operations.

ninja wraps every response type of every operation in a fresh pydantic model
(`NinjaResponseSchema` with one field, `response: T`) — once per status code, so an endpoint
documenting 200 plus four problem codes builds five models, four of them identical. With ~200
operations that is ~1,000 models and about half of the time the API's URLconf takes to import,
paid by every web worker before it answers its first request (the start-up target of
benchmarks/README.md). The wrapper holds nothing but the annotation, so one per distinct
response type is equivalent; unhashable annotations fall back to ninja's own behaviour.
"""

from __future__ import annotations

from typing import Any

from ninja.operation import Operation

_original = Operation._create_response_model
_shared: dict[Any, Any] = {}


def _shared_response_model(self: Operation, response_param: Any) -> Any:
    try:
        return _shared[response_param]
    except KeyError:
        model = _shared[response_param] = _original(self, response_param)
        return model
    except TypeError:  # an unhashable annotation: build it as ninja would
        return _original(self, response_param)


def install() -> None:
    """Idempotent; called when `serval.api` is first imported, before any router is built."""
    Operation._create_response_model = _shared_response_model  # type: ignore[method-assign]
