"""Real local peers for delivery tests: an SMTP server (aiosmtpd) and an SMS gateway
(http.server in a thread), each recording what it accepted; a Redis broker of the test's own
that it can stop and start again; a real Celery worker in its own process group."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import redis
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from config import celery_app

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpRecorder:
    """An aiosmtpd handler that keeps every accepted message; ``rcpt_delay`` makes it slow
    before the message is transferred (so a client killed while waiting has sent nothing).

    ``on_accept`` is called with each message once it is kept, before the server answers
    "250": a test can kill the client there, after the server took the message and before
    the client heard so (the instant in which any SMTP client can send a message twice).
    """

    def __init__(
        self, *, rcpt_delay: float = 0.0, on_accept: Callable[[dict], None] | None = None
    ) -> None:
        self.rcpt_delay = rcpt_delay
        self.on_accept = on_accept
        self.messages: list[dict] = []
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_delay:
            await asyncio.sleep(self.rcpt_delay)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        parsed = message_from_bytes(envelope.content, policy=policy.default)
        message = {
            "to": list(envelope.rcpt_tos),
            "message_id": parsed["Message-ID"],
            "key": parsed["X-Chengnuo-Key"],
            "subject": str(parsed["Subject"]),
            "body": parsed.get_body(("plain",)).get_content(),
        }
        with self._lock:
            self.messages.append(message)
        if self.on_accept is not None:
            self.on_accept(message)
        return "250 Message accepted for delivery"

    def count_by_key(self) -> Counter:
        with self._lock:
            return Counter(m["key"] for m in self.messages)


class SmtpServer:
    def __init__(
        self,
        *,
        rcpt_delay: float = 0.0,
        port: int | None = None,
        on_accept: Callable[[dict], None] | None = None,
    ) -> None:
        self.recorder = SmtpRecorder(rcpt_delay=rcpt_delay, on_accept=on_accept)
        self.controller = Controller(
            self.recorder, hostname="127.0.0.1", port=port or free_port(), ready_timeout=10
        )

    @property
    def port(self) -> int:
        return self.controller.port

    @property
    def messages(self) -> list[dict]:
        return self.recorder.messages

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


class SmsGateway:
    """A gateway that de-duplicates on ``Idempotency-Key`` like a real one should.

    ``script`` lists what to do with the next requests: "500" answers 500 and "400" answers
    400 without sending, "slow" sends the SMS but answers only after ``slow_seconds`` (a
    client timeout), "ok" sends and answers 200. After the script, every request is "ok".
    """

    def __init__(self, *, script: list[str] | None = None, slow_seconds: float = 1.5) -> None:
        self.script = list(script or [])
        self.slow_seconds = slow_seconds
        self.requests: list[dict] = []
        self.sent: dict[str, dict] = {}
        self._lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length", 0))
                payload = json.loads(self.rfile.read(length) or b"{}")
                key = self.headers.get("Idempotency-Key", "")
                with gateway._lock:
                    action = gateway.script.pop(0) if gateway.script else "ok"
                    gateway.requests.append(
                        {
                            "key": key,
                            "authorization": self.headers.get("Authorization", ""),
                            "payload": payload,
                            "action": action,
                        }
                    )
                    if action in ("ok", "slow") and key not in gateway.sent:
                        gateway.sent[key] = payload
                if action in ("500", "400"):
                    self._answer(int(action), {"error": "refused"})
                    return
                if action == "slow":
                    time.sleep(gateway.slow_seconds)
                self._answer(200, {"id": key, "status": "queued"})

            def _answer(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1/messages"

    def start(self) -> SmsGateway:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class RedisServer:
    """A ``redis-server`` of the test's own on a free port, without persistence.

    ``stop`` and ``start`` again keep the port, so a worker or a client configured with
    ``url`` finds the broker back where it was (empty: nothing survives the stop).
    """

    def __init__(self, *arguments: str) -> None:
        self.port = free_port()
        self.arguments = list(arguments)  # e.g. "--replicaof", "127.0.0.1", "6380"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def command(self, executable: str) -> list[str]:
        return [executable, "--port", str(self.port), "--bind", "127.0.0.1"] + [
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            *self.arguments,
        ]

    def start(self, *, timeout: float = 10.0) -> RedisServer:
        executable = shutil.which("redis-server")
        if executable is None:
            raise RuntimeError("redis-server is not installed")
        self.process = subprocess.Popen(  # noqa: S603 - a fixed local executable
            self.command(executable),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while True:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=1) as probe,
            ):
                probe.sendall(b"PING\r\n")
                if probe.recv(16).startswith(b"+PONG"):
                    return self
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server did not answer on port {self.port}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def kill(self) -> None:
        """SIGKILL: a host lost, with no chance to hand anything over."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


class RedisSentinel(RedisServer):
    """A ``redis-server --sentinel`` of the test's own watching the primary ``master_name`` at
    ``primary_port``: it declares the primary down after ``down_after_ms`` without an answer
    and, with ``quorum`` sentinels agreeing, promotes a replica. Its configuration file (which
    a sentinel rewrites as it learns) lives in ``directory``."""

    def __init__(
        self,
        directory: Path,
        *,
        master_name: str,
        primary_port: int,
        quorum: int,
        down_after_ms: int = 1000,
    ) -> None:
        super().__init__()
        self.master_name = master_name
        self.config = directory / f"sentinel-{self.port}.conf"
        self.config.write_text(
            f"port {self.port}\nbind 127.0.0.1\n"
            f"sentinel monitor {master_name} 127.0.0.1 {primary_port} {quorum}\n"
            f"sentinel down-after-milliseconds {master_name} {down_after_ms}\n"
            f"sentinel failover-timeout {master_name} 10000\n"
        )

    def command(self, executable: str) -> list[str]:
        return [executable, str(self.config), "--sentinel"]

    def _ask(self, question: Callable[[redis.Redis], object], default):
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2)
        try:
            return question(client)
        except redis.RedisError:
            return default
        finally:
            client.close()

    def primary_port(self) -> int:
        """The port of the primary this sentinel names now (0 if it cannot say)."""
        return int(
            self._ask(lambda c: c.sentinel_get_master_addr_by_name(self.master_name), (0, 0))[1]
        )

    def replicas_seen(self) -> int:
        return self._ask(lambda c: len(c.sentinel_slaves(self.master_name)), 0)


def redis_behind_sentinels(
    directory: Path, master_name: str
) -> tuple[RedisServer, RedisServer, list[RedisSentinel]]:
    """A primary, its replica and three sentinels (quorum 2) watching it, all started; a
    replica writes what it receives to ``directory`` (the test's, not the repository)."""
    primary = RedisServer("--dir", str(directory)).start()
    replica = RedisServer("--dir", str(directory), "--replicaof", "127.0.0.1", str(primary.port))
    replica.start()
    sentinels = [
        RedisSentinel(directory, master_name=master_name, primary_port=primary.port, quorum=2)
        for _n in range(3)
    ]
    return primary, replica, [sentinel.start() for sentinel in sentinels]


class RabbitNode:
    """A RabbitMQ node of the test's own: ``rabbitmq-server`` (which runs the node as the
    ``rabbitmq`` user, so the test must run as root) on free ports, apart from the machine's
    own node. Its data, logs and configuration live in a folder of its own that the
    ``rabbitmq`` user can reach (a test's ``tmp_path`` is private to root), removed by
    ``stop``."""

    def __init__(self, name: str) -> None:
        self.port = free_port()
        self.dist_port = free_port()
        self.name = f"{name}@localhost"
        self.home = Path(tempfile.mkdtemp(prefix=f"{name}-"))
        (self.home / "rabbitmq.conf").write_text(f"listeners.tcp.local = 127.0.0.1:{self.port}\n")
        (self.home / "plugins").write_text("[].\n")
        for path in (self.home, *self.home.iterdir()):
            shutil.chown(path, "rabbitmq", "rabbitmq")
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}//"

    def launch(self) -> RabbitNode:
        """Start the node; ``ready`` waits for it (several nodes start side by side)."""
        home = str(self.home)
        env = {
            **os.environ,
            "RABBITMQ_NODENAME": self.name,
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_CONFIG_FILE": f"{home}/rabbitmq.conf",
            "RABBITMQ_ENABLED_PLUGINS_FILE": f"{home}/plugins",
            "RABBITMQ_MNESIA_BASE": f"{home}/mnesia",
            "RABBITMQ_MNESIA_DIR": f"{home}/mnesia/{self.name}",
            "RABBITMQ_FEATURE_FLAGS_FILE": f"{home}/feature_flags",
            "RABBITMQ_LOG_BASE": f"{home}/log",
            "RABBITMQ_PID_FILE": f"{home}/pid",
        }
        self.process = subprocess.Popen(  # noqa: S603 - the package's own start script
            [shutil.which("rabbitmq-server") or "rabbitmq-server"],
            cwd=self.home,
            env=env,
            stdout=(self.home / "out.log").open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a kill takes the Erlang VM
        )
        return self

    def ctl(self, *arguments: str, timeout: float = 120.0) -> str:
        done = subprocess.run(  # noqa: S603 - the package's own tool, fixed arguments
            [shutil.which("rabbitmqctl") or "rabbitmqctl", "-n", self.name, *arguments],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(f"rabbitmqctl {' '.join(arguments)}: {done.stderr or done.stdout}")
        return done.stdout

    def ready(self, *, timeout: float = 120.0) -> RabbitNode:
        """Wait until the node answers (its Erlang VM is up), then until it has booted."""
        deadline = time.monotonic() + timeout
        while True:
            if self.process is not None and self.process.poll() is not None:
                log = (self.home / "out.log").read_text(errors="replace")
                raise RuntimeError(f"RabbitMQ node {self.name} exited: {log[-2000:]}")
            try:
                self.ctl("ping", timeout=30)
                break
            except (RuntimeError, subprocess.TimeoutExpired):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        self.ctl("await_startup", "--timeout", str(int(timeout)), timeout=timeout + 30)
        return self

    def join(self, other: RabbitNode) -> None:
        """Make this (fresh) node a member of ``other``'s cluster."""
        self.ctl("stop_app")
        self.ctl("join_cluster", other.name)
        self.ctl("start_app")

    def queue(self, name: str) -> tuple[str, int] | None:
        """(type, ready messages) of queue ``name`` as this node sees it, or None."""
        for line in self.ctl("list_queues", "-q", "name", "type", "messages_ready").splitlines():
            fields = line.split("\t")
            if fields[0] == name and fields[2].isdigit():
                return fields[1], int(fields[2])
        return None

    def kill(self) -> None:
        """SIGKILL the node's Erlang VM (a host lost). The start script hands the VM to the
        ``rabbitmq`` user in a session of its own, so the VM is found by its pid file."""
        pid_file = self.home / "pid"
        if pid_file.exists() and (pid := pid_file.read_text().strip()).isdigit():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGKILL)
            wait_for(lambda: not Path(f"/proc/{pid}").exists(), what=f"{self.name} gone")
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                self.ctl("stop", timeout=60)
        self.kill()  # whatever the stop left, the VM included
        shutil.rmtree(self.home, ignore_errors=True)


def _drop_broker_pools() -> None:
    # Celery keeps the connection and producer pools of the broker it first used.
    celery_app._pool = None  # noqa: SLF001
    celery_app.amqp._producer_pool = None  # noqa: SLF001


@contextlib.contextmanager
def celery_broker(url: str) -> Iterator[None]:
    """Send this process's tasks to the broker at ``url`` for the block's duration.

    The write URL, because Celery prefers the environment's CELERY_BROKER_URL to ``broker_url``.
    """
    previous = celery_app.conf.get("broker_write_url")
    celery_app.conf.broker_write_url = url
    _drop_broker_pools()
    try:
        yield
    finally:
        celery_app.conf.broker_write_url = previous
        _drop_broker_pools()


def wait_for(condition: Callable[[], bool], *, timeout: float = 60.0, what: str = "condition"):
    """Poll a condition until it holds (bounded), for real processes."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {timeout} s")
        time.sleep(0.05)


def worker_start(
    *, queue: str, broker_url: str, smtp_port: int, log: Path, env: dict[str, str] | None = None
) -> subprocess.Popen:
    """A real ``celery worker`` on this test's PostgreSQL database, consuming ``queue`` only,
    sending mail over SMTP to the local peer at ``smtp_port``."""
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
        "DATABASE_URL": (
            f"postgres://{database['USER'] or 'postgres'}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "CHENGNUO_TEST_QUEUE": queue,
        "CELERY_BROKER_URL": broker_url,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_TIMEOUT": "10",
        "DATABASE_CONN_MAX_AGE": "0",
        # the key that decrypts the subscribers' webhook secrets this test process wrote
        "WEBHOOK_SECRET_KEYS_PATH": settings.WEBHOOK_SECRET_KEYS_PATH,
        **(env or {}),
    }
    return subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queue]
        + ["-c", "2", "--pool", "prefork", "-l", "INFO"]
        + ["--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: a kill takes the pool children too
    )


def worker_kill(worker: subprocess.Popen) -> None:
    """SIGKILL the worker and its pool children (its process group), and reap it."""
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)
