"""A small estate for the incident-impact tests: ERP runs on an app server that needs a database.

ERP (business, live)      ← realized by app-erp-01
app-erp-01 depends_on db-erp-01     db-erp-01 runs_on host-01
Payroll (business, live)  ← realized by its offering "Payroll Gold" ← realized by db-erp-01
Lab (technical, pipeline) ← realized by db-erp-01   (requesters never see pipeline services)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from serval.cmdb import actions
from serval.cmdb.models import CI
from serval.services import actions as services
from tests.cmdb.conftest import make_ci, relate


@dataclass
class Estate:
    db: CI
    app: CI
    host: CI
    erp: Any
    payroll: Any
    gold: Any
    lab: Any


def build(world: Any) -> Estate:
    a, m = world.agent, world.manager
    db = make_ci(a, "db-erp-01", "db_instance")
    app = make_ci(a, "app-erp-01", "app_server")
    host = make_ci(a, "host-01")
    relate(a, app, "depends_on", db)
    relate(a, db, "runs_on", host)
    erp = services.create_service(actor=m, name="ERP", status="live")
    payroll = services.create_service(actor=m, name="Payroll", status="live")
    gold = services.create_service(
        actor=m, name="Payroll Gold", kind="offering", parent=payroll, status="live"
    )
    lab = services.create_service(actor=m, name="Lab", kind="technical", status="pipeline")
    actions.link_service(actor=a, service=erp, ci=app)
    actions.link_service(actor=a, service=gold, ci=db)
    actions.link_service(actor=a, service=lab, ci=db)
    return Estate(db, app, host, erp, payroll, gold, lab)
