"""Helpers for tests that run `serval` as a real process, the way an operator does."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

SERVAL = [sys.executable, "-m", "serval.cli"]
REPO = Path(__file__).resolve().parents[2]


def clean_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The caller's environment without any SERVAL_* or DATABASE_URL, plus a data dir."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SERVAL_") and k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env["SERVAL_DATA_DIR"] = str(data_dir)
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
