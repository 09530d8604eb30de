"""PostgreSQL servers of a test's own: ``initdb`` and ``pg_ctl`` in a temporary folder, on a
free port (as the ``postgres`` user when run as root, which initdb refuses), and streaming
replicas of them made with ``pg_basebackup``."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg

from tests.processes import free_port

# The server's programs (the client package has the same folder, without initdb).
INITDB = sorted(
    Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name)
)


@dataclass
class Postgres:
    bin: Path
    data: Path
    port: int
    log: Path

    def run(self, *command: str) -> None:
        """A PostgreSQL program, as the ``postgres`` user when we are root."""
        as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run(  # noqa: S603 - PostgreSQL's own programs
            [*as_user, str(self.bin / command[0]), *command[1:]],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def pg_ctl(self, action: str, *options: str) -> None:
        self.run("pg_ctl", action, "-D", str(self.data), "-l", str(self.log), "-w", *options)

    def start(self) -> None:
        folder = self.data.parent
        self.pg_ctl(
            "start",
            "-o",
            f"-p {self.port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off",
        )

    def stop(self) -> None:
        self.pg_ctl("stop", "-m", "immediate")

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def sql(self, statement: str, *, database: str = "postgres"):
        """One statement in autocommit; its first row, if it returns any."""
        with psycopg.connect(self.url(database), autocommit=True) as connection:
            cursor = connection.execute(statement)
            return cursor.fetchone() if cursor.description else None


def temporary_folder() -> Path:
    """A folder in /tmp the ``postgres`` user owns when we are root."""
    folder = Path(tempfile.mkdtemp(prefix="chengnuo-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    return folder


def primary_create() -> Postgres:
    """A new server, started, with an empty database ``chengnuo``; it streams its WAL to
    replicas (initdb's defaults: ``wal_level=replica``, replication trusted on loopback)."""
    folder = temporary_folder()
    server = Postgres(INITDB[-1].parent, folder / "data", free_port(), folder / "server.log")
    server.run("initdb", "-D", str(server.data), "-U", "postgres", "-A", "trust", "-E", "UTF8")
    server.start()
    server.sql("CREATE DATABASE chengnuo")
    return server


def replica_create(primary: Postgres) -> Postgres:
    """A hot-standby streaming replica of ``primary``, from ``pg_basebackup``, started."""
    folder = temporary_folder()
    replica = Postgres(primary.bin, folder / "data", free_port(), folder / "server.log")
    replica.run(
        "pg_basebackup",
        *("-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres"),
        *("-D", str(replica.data), "-X", "stream", "-R", "--checkpoint=fast"),
    )
    replica.start()
    return replica


def remove(server: Postgres) -> None:
    """Stop the server (if it runs) and delete its folder."""
    with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
        server.stop()
    shutil.rmtree(server.data.parent, ignore_errors=True)
