"""Issue 2 set-up: `serval serve` prints the address it serves on even when a stop signal arrives
while it is still starting.

The supervisor checks migrations while gunicorn imports the application; on a slow machine the
web side can answer (and a client stop the server) before that check is done. CI once saw only
"Serval stopped." because the readiness wait gave up as soon as it saw the signal. A server that
did run says where it ran."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys

from serval.core.management.commands.serve import Command


def _supervisor_with_a_live_child() -> Command:
    command = Command()
    command.gunicorn = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    return command


def test_a_listening_server_is_ready_even_if_the_stop_signal_came_first():
    command = _supervisor_with_a_live_child()
    try:
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen()
            command.stopping = signal.SIGTERM
            assert command._wait_ready("127.0.0.1", listener.getsockname()[1]) is True
    finally:
        command.gunicorn.kill()
        command.gunicorn.wait()


def test_a_server_that_never_listened_is_not_ready_once_stopped():
    command = _supervisor_with_a_live_child()
    try:
        with socket.socket() as unused:
            unused.bind(("127.0.0.1", 0))
            port = unused.getsockname()[1]  # bound, not listening: connections are refused
            command.stopping = signal.SIGTERM
            assert command._wait_ready("127.0.0.1", port) is False
    finally:
        command.gunicorn.kill()
        command.gunicorn.wait()
