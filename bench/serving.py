"""Processes the HTTP benchmarks run beside the measuring client: gunicorn as production
configures it, a real Celery worker with beat, and a real SMTP server that counts what it
accepts. Each is started on loopback and stopped by the benchmark that started it."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_environment(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE=os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.local"),
        DJANGO_DEBUG="false",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_CONN_MAX_AGE="600",  # production keeps connections; per-request connects
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def start_server(
    port: int,
    *,
    worker_class: str = "gthread",
    threads: int = 8,
    workers: int = 2,
    environment: dict[str, str] | None = None,
    log: Path | None = None,
) -> subprocess.Popen:
    """gunicorn with ``config/gunicorn.conf.py`` on 127.0.0.1:``port``, once it answers.

    Its log (warnings, and the traceback of any server error) goes to ``log``: a file, not a
    pipe nobody reads, which would block the server once full."""
    log = log or ROOT / "var" / "bench" / "log" / f"gunicorn-{port}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    out = log.open("ab")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            str(ROOT / "config" / "gunicorn.conf.py"),
            "config.wsgi:application",
            "--workers",
            str(workers),
            "--worker-class",
            worker_class,
            "--threads",
            str(threads),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=_server_environment(**(environment or {})),
        stdout=subprocess.DEVNULL,
        stderr=out,
    )
    out.close()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited: " + log.read_text(errors="replace")[-2000:])
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/api/v1/ping/")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("gunicorn did not answer within 30 s")


def start_worker(
    *, log: Path, schedule: Path, environment: dict[str, str] | None = None
) -> subprocess.Popen:
    """A real Celery worker (2 processes) with embedded beat, as ``make run`` starts it."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-B",
                "--loglevel=warning",
                "--concurrency=2",
                "--schedule",
                str(schedule),
            ],
            cwd=ROOT,
            env=_server_environment(**(environment or {})),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_server(process: subprocess.Popen) -> None:
    """TERM (gunicorn's graceful stop, Celery's warm shutdown), then KILL after 15 s."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class SmtpCounter:
    """A real SMTP server (aiosmtpd) on loopback that counts accepted messages by Message-ID."""

    def __init__(self) -> None:
        self.port = free_port()
        self.message_ids: list[str] = []
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        message_id = ""
        for line in envelope.content.split(b"\r\n"):
            if not line:
                break
            if line.lower().startswith(b"message-id:"):
                message_id = line.split(b":", 1)[1].strip().decode(errors="replace")
        with self._lock:
            self.message_ids.append(message_id)
        return "250 Message accepted for delivery"

    def __enter__(self) -> SmtpCounter:
        self._controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self._controller.stop()

    @property
    def accepted(self) -> int:
        with self._lock:
            return len(self.message_ids)

    @property
    def distinct(self) -> int:
        with self._lock:
            return len(set(self.message_ids))
