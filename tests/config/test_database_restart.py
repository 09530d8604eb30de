"""Database connections survive a PostgreSQL restart under a running server.

Production keeps each gunicorn thread's connection (``DATABASE_CONN_MAX_AGE``); when
PostgreSQL restarts every kept connection is dead. Without health checks the first request
on each thread answered 500; ``CONN_HEALTH_CHECKS`` replaces the dead connection first.

The test runs a PostgreSQL instance of its own (``initdb`` and ``pg_ctl`` in a temporary
folder, on a free port; as the ``postgres`` user when run as root, which initdb refuses),
migrates it, serves it with gunicorn (``config/gunicorn.conf.py``, production settings),
makes every thread hold a connection, restarts PostgreSQL, and asks again on every thread.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator

import psycopg
import pytest

from tests.postgres_servers import INITDB, Postgres, primary_create, remove
from tests.processes import ROOT, free_port, start, stop, wait_for

pytestmark = pytest.mark.integration

THREADS = 4
PAGE = "/portal/commitments/"  # public, and reads the database


@pytest.fixture
def postgres() -> Iterator[Postgres]:
    """A PostgreSQL server of the test's own, started, with an empty database ``chengnuo``."""
    if not INITDB:
        pytest.skip("PostgreSQL's server programs (initdb, pg_ctl) are not installed")
    server = primary_create()
    try:
        yield server
    finally:
        remove(server)


def _app_connections(server: Postgres) -> int:
    """How many connections the web server holds to the application's database."""
    with psycopg.connect(server.url("postgres"), autocommit=True) as admin:
        row = admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = 'chengnuo'"
        ).fetchone()
    return row[0]


def _get(url: str) -> int:
    """The status of a GET, 0 when the server closed the connection without an answer.

    Sent as production's TLS proxy forwards it (``X-Forwarded-Proto: https``); plain HTTP is
    only redirected there."""
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - 127.0.0.1
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def _burst(url: str, statuses: list[int]) -> None:
    """``THREADS`` requests at the same moment, so that the server's threads all take one."""
    together = threading.Barrier(THREADS)

    def one():
        together.wait()
        statuses.append(_get(url))

    clients = [threading.Thread(target=one) for _n in range(THREADS)]
    for client in clients:
        client.start()
    for client in clients:
        client.join(timeout=120)


def _until_every_thread_connected(server: Postgres, url: str, statuses: list[int]) -> None:
    def every_thread_connected() -> bool:
        _burst(url, statuses)
        return _app_connections(server) >= THREADS

    wait_for(every_thread_connected, what=f"{THREADS} server threads connected", timeout=120)


def test_no_request_fails_after_postgresql_restarts(postgres, tmp_path):
    # given the application migrated on its own PostgreSQL and served by gunicorn's threads
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "a-test-secret-key-for-this-server-only-0123456789abcdef",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": postgres.url("chengnuo"),
        "DATABASE_CONN_MAX_AGE": "600",
        "CHENGNUO_DATA_DIR": str(tmp_path / "var"),
    }
    subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
        capture_output=True,
        timeout=600,
    )
    port = free_port()
    web = start(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "config/gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            str(THREADS),
            "config.wsgi",
        ],
        env=env,
        log=tmp_path / "gunicorn.log",
    )
    url = f"http://127.0.0.1:{port}{PAGE}"
    try:
        wait_for(lambda: _get(url) == 200, what="gunicorn answers", timeout=120)
        before: list[int] = []
        _until_every_thread_connected(postgres, url, before)
        assert set(before) == {200}

        # when PostgreSQL restarts under it (every kept connection dies)
        postgres.pg_ctl("restart", "-m", "fast")
        assert _app_connections(postgres) == 0

        # then requests on every thread succeed: each replaced its dead connection first
        after: list[int] = []
        _until_every_thread_connected(postgres, url, after)
    finally:
        stop(web)
    assert after.count(200) == len(after), (after, (tmp_path / "gunicorn.log").read_text()[-3000:])
