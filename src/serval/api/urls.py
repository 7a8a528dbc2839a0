"""The REST API at /api/v1/: one NinjaAPI, each app contributing a router (DESIGN.md §3, §4).

Auth is a bearer token or the browser session (with CSRF); errors are problem+json
(`serval.api.errors`); the OpenAPI document is at /api/v1/openapi.json and the docs page at
/api/v1/docs, served from ninja's bundled static files — no CDN (DESIGN.md rule 9).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, re_path
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from serval.api import errors, workitems
from serval.api.auth import BearerAuth, SessionAuth
from serval.api.rendering import JSONRenderer
from serval.approvals.api import router as approvals_router
from serval.assets.api import router as assets_router
from serval.changes.api import router as changes_router
from serval.changes.api.core import tasks_router as change_tasks_router
from serval.cmdb.api import router as cmdb_router
from serval.incidents.api import router as incidents_router
from serval.people.api import router as people_router
from serval.people.api import tokens_router
from serval.services.api import router as services_router
from serval.sla.api import router as sla_router


class ServalAPI(NinjaAPI):
    """NinjaAPI with problem+json everywhere: documented error bodies and unknown URLs too."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, spec in operation.get("responses", {}).items():
                    content = spec.get("content") or {}
                    if (
                        str(status).isdigit()
                        and int(status) >= 400
                        and "application/json" in content
                    ):
                        spec["content"] = {
                            errors.PROBLEM_CONTENT_TYPE: content.pop("application/json")
                        }
        return schema

    def get_openapi_operation_id(self, operation: Any) -> str:
        """`serval_<app>_api_<function>`, also for an app whose API is a package of modules,
        so splitting a router into modules never renames an operation clients generated from."""
        module = operation.view_func.__module__.split(".")
        if len(module) > 3 and module[0] == "serval" and module[2] == "api":
            module = module[:3]
        return "_".join([*module, operation.view_func.__name__])

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        return [*super()._get_urls(), re_path(r"^.*$", _unknown, name="unknown")]


def _unknown(request: HttpRequest) -> HttpResponse:
    return errors.problem(404, _("There is no such API endpoint."))


api = ServalAPI(
    title="Serval API",
    version="1",
    description="IT service management: incidents, changes (standard from approved templates, "
    "normal and emergency; their tasks, risk, conflicts and schedule) and their approvals, "
    "services, the CMDB, assets, people and teams. Errors are RFC 9457 problem+json; send "
    "`Authorization: Bearer <token>` (create one with `serval token create USER` or POST "
    "/api/v1/tokens).",
    urls_namespace="api",
    auth=[BearerAuth(), SessionAuth()],
    renderer=JSONRenderer(),
)
errors.install(api)
api.add_router("/incidents", incidents_router)
api.add_router("/attachments", workitems.router)
api.add_router("/", people_router)
api.add_router("/tokens", tokens_router)
api.add_router("/", sla_router)
api.add_router("/services", services_router)
api.add_router("/cmdb", cmdb_router)
api.add_router("/assets", assets_router)
api.add_router("/changes", changes_router)
api.add_router("/change-tasks", change_tasks_router)
api.add_router("/approvals", approvals_router)
