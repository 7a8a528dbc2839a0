"""`--cis` and `--relationships` never fake a CMDB that does not exist yet (issue 6, issue 4)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from serval.core.benchdata import cmdb_available

pytestmark = pytest.mark.django_db


def test_cmdb_options_are_accepted_and_reported_as_not_built() -> None:
    out = StringIO()
    call_command(
        "bench_data",
        "--work-items=0",
        "--users=2",
        "--teams=1",
        "--tenants=1",
        "--cis=10",
        "--relationships=30",
        "--no-progress",
        stdout=out,
    )
    expected = "CMDB is not built yet" if not cmdb_available() else "CIs is not built yet"
    assert expected in out.getvalue()
