"""Real processes for tests: a Celery worker (with beat if asked), a web server, free ports.

Each process runs in its own session, so stopping it takes its children (the worker's pool)
too, and writes its output to a log file the test names, for the failure message.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (asked of the OS)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition: Callable[[], object], *, what: str, timeout: float = 60.0) -> None:
    """Poll ``condition`` until it is true, failing after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.1)


def start(command: list[str], *, env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start ``command`` from the repository's root in its own session, output to ``log``."""
    with log.open("ab") as output:
        return subprocess.Popen(  # noqa: S603 - our own interpreter and programs
            command,
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(process: subprocess.Popen, *, timeout: float = 30.0) -> None:
    """Ask the process group to stop (TERM), and kill it if it does not within ``timeout``."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout)


def celery(*arguments: str) -> list[str]:
    """The command line of ``celery -A config`` with this interpreter."""
    return [sys.executable, "-m", "celery", "-A", "config", *arguments]


def worker_command(*, queue: str | None = None, beat: bool = False) -> list[str]:
    """A real worker (prefork, two processes), on ``queue`` if given, with beat if asked."""
    command = celery("worker", "-c", "2", "--pool", "prefork", "-l", "INFO")
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    if queue is not None:
        command += ["-Q", queue]
    if beat:
        command.append("-B")
    return command
