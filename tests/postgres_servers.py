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
from django.db import connection

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
    listen: str = "127.0.0.1"  # the addresses it listens on, comma-separated

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
            f"-p {self.port} -k {folder} -c listen_addresses='{self.listen}' -c fsync=off",
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


def primary_create(*, listen: str = "127.0.0.1", network: str = "") -> Postgres:
    """A new server, started, with an empty database ``chengnuo``; it streams its WAL to
    replicas (initdb's defaults: ``wal_level=replica``, replication trusted on loopback).

    It listens on ``listen`` (addresses, comma-separated) and trusts the clients of
    ``network`` (an address range such as ``10.1.2.0/24``) besides loopback."""
    folder = temporary_folder()
    server = Postgres(
        INITDB[-1].parent, folder / "data", free_port(), folder / "server.log", listen=listen
    )
    server.run("initdb", "-D", str(server.data), "-U", "postgres", "-A", "trust", "-E", "UTF8")
    if network:
        with (server.data / "pg_hba.conf").open("a") as rules:
            rules.write(f"host all all {network} trust\n")
    server.start()
    server.sql("CREATE DATABASE chengnuo")
    return server


def replica_create(primary: Postgres) -> Postgres:
    """A hot-standby streaming replica of ``primary``, from ``pg_basebackup``, started; it
    listens where the primary does and trusts the same clients (a copy of its pg_hba.conf)."""
    folder = temporary_folder()
    replica = Postgres(
        primary.bin, folder / "data", free_port(), folder / "server.log", listen=primary.listen
    )
    replica.run(
        "pg_basebackup",
        *("-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres"),
        *("-D", str(replica.data), "-X", "stream", "-R", "--checkpoint=fast"),
    )
    replica.start()
    return replica


def database_copy(primary: Postgres, folder: Path) -> None:
    """The test run's migrated database, copied into ``primary``'s ``chengnuo`` (``pg_dump``,
    ``psql``): the same schema and data as ``migrate`` gives, in seconds instead of minutes."""
    source = connection.settings_dict
    dump = folder / "schema.sql"
    commands = [
        [
            *("pg_dump", "--no-owner", "--no-privileges", "-f", str(dump)),
            *("-h", source["HOST"] or "127.0.0.1", "-p", str(source["PORT"] or 5432)),
            *("-U", source["USER"] or "postgres", "-d", source["NAME"]),
        ],
        ["psql", "-q", "-v", "ON_ERROR_STOP=1", "-f", str(dump), primary.url("chengnuo")],
    ]
    for command in commands:
        done = subprocess.run(  # noqa: S603 - PostgreSQL's own client programs
            command,
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "PGPASSWORD": source["PASSWORD"] or ""},
        )
        assert done.returncode == 0, (command, done.stderr[-3000:])


def remove(server: Postgres) -> None:
    """Stop the server (if it runs) and delete its folder."""
    with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
        server.stop()
    shutil.rmtree(server.data.parent, ignore_errors=True)
