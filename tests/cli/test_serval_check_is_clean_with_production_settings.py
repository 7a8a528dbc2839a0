"""Issue 2 security baseline: `serval check` (check --deploy, production settings) is clean."""

from __future__ import annotations

import subprocess

from tests.cli._processes import SERVAL, clean_env


def test_serval_check_passes_on_a_fresh_install(tmp_path):
    result = subprocess.run(
        [*SERVAL, "check"],
        env=clean_env(tmp_path / "data"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
