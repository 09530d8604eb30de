"""Read replicas (``config.replicas``, ADR 0028) against a real streaming replica.

The module builds a primary of its own (``initdb``), gives it the test run's migrated database
(``pg_dump``), copies it with
``pg_basebackup`` into a hot-standby replica that streams the primary's WAL, and serves the
application with gunicorn (production settings) with ``DATABASE_REPLICA_URL`` set.

- A replica that lags by minutes (``recovery_min_apply_delay = 10min``): the public reads are
  served from it (a company created since is not there yet), while a browser that has just
  written (logged in) reads from the primary: its own session, and everything before it.
- A replica that is down: every page is served from the primary, none fails.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection

from tests.factories import make_uscc
from tests.postgres_servers import (
    INITDB,
    Postgres,
    database_copy,
    primary_create,
    remove,
    replica_create,
)
from tests.processes import ROOT, free_port, start, stop, wait_for

# django_db: the run sets up its test database, which the primary starts from.
pytestmark = [pytest.mark.integration, pytest.mark.django_db]

PASSWORD = "a-replica-test-password-42"  # noqa: S105 - a throwaway server's only account
SECRET_KEY = "a-test-secret-key-for-this-server-only-0123456789abcdef"  # noqa: S105
LAG = "10min"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 is an answer here, not something to follow


class Browser:
    """One browser: its own cookies; requests as production's TLS proxy forwards them."""

    def __init__(self, base: str):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirects
        )

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        origin = self.base.replace("http://", "https://")
        headers = {"X-Forwarded-Proto": "https", "Origin": origin, "Referer": origin + path}
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers=headers)  # noqa: S310
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()
        except urllib.error.URLError as error:
            return 0, str(error)  # not answering (yet)

    def log_in(self, username: str) -> None:
        status, page = self.request("/accounts/login/")
        assert status == 200, page[-2000:]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
        status, page = self.request("/accounts/login/", form)
        assert status == 302, page[-2000:]


@dataclass
class Site:
    primary: Postgres
    replica: Postgres
    base: str
    env: dict[str, str]
    log: Path

    def manage(self, *arguments: str, extra: dict[str, str] | None = None) -> str:
        """``manage.py`` against the primary alone (as an operator or another server would)."""
        done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, "manage.py", *arguments],
            cwd=ROOT,
            env={**os.environ, **self.env, "DATABASE_REPLICA_URL": "", **(extra or {})},
            check=True,
            capture_output=True,
            text=True,
            timeout=600,
        )
        return done.stdout

    def company_create(self) -> str:
        """A company written on the primary by another process; its code."""
        code = make_uscc()
        self.manage(
            "shell",
            "-c",
            "from directory.models import Subject; "
            f"Subject.objects.create(kind='company', code='{code}', name='副本测试有限公司')",
        )
        return code

    def replica_caught_up(self) -> bool:
        position = self.primary.sql("SELECT pg_current_wal_lsn()::text")[0]
        return self.replica.sql(f"SELECT pg_last_wal_replay_lsn() >= '{position}'::pg_lsn")[0]

    def replica_delay(self, delay: str) -> None:
        """Make the replica apply each commit ``delay`` after it happened (0: at once)."""
        self.replica.sql(f"ALTER SYSTEM SET recovery_min_apply_delay = '{delay}'")
        self.replica.run("pg_ctl", "reload", "-D", str(self.replica.data))
        wait_for(
            lambda: self.replica.sql("SHOW recovery_min_apply_delay")[0] == delay,
            what=f"the replica applies commits {delay} late",
        )


@pytest.fixture(scope="module")
def site(tmp_path_factory, django_db_setup) -> Iterator[Site]:
    if not INITDB:
        pytest.skip("PostgreSQL's server programs (initdb, pg_ctl) are not installed")
    if connection.vendor != "postgresql":
        pytest.skip("the replica copies the test run's PostgreSQL database")
    folder = tmp_path_factory.mktemp("replica-site")
    primary = primary_create()
    replica = None
    web = None
    try:
        env = {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": SECRET_KEY,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_COOKIES": "false",  # the test's cookie jar talks plain HTTP
            "DATABASE_URL": primary.url("chengnuo"),
            "DATABASE_CONN_MAX_AGE": "600",
            "DATABASE_REPLICA_RETRY_SECONDS": "0",  # ask a stopped replica again every time
            "CHENGNUO_DATA_DIR": str(folder / "var"),
        }
        site = Site(primary, primary, "", env, folder / "gunicorn.log")
        database_copy(primary, folder)
        site.manage(
            "createsuperuser",
            "--noinput",
            "--username=operator",
            "--email=operator@example.gov.cn",
            extra={"DJANGO_SUPERUSER_PASSWORD": PASSWORD},
        )
        replica = replica_create(primary)
        site.replica = replica
        env["DATABASE_REPLICA_URL"] = replica.url("chengnuo")
        port = free_port()
        web = start(
            [
                *(sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py"),
                *("--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "2"),
                "config.wsgi",
            ],
            env=env,
            log=site.log,
        )
        site.base = f"http://127.0.0.1:{port}"
        wait_for(
            lambda: web.poll() is not None or Browser(site.base).request("/portal/")[0] == 200,
            what="gunicorn answers",
            timeout=300,
        )
        assert web.poll() is None, site.log.read_text()[-3000:]
        wait_for(site.replica_caught_up, what="the replica has the migrated schema")
        yield site
    finally:
        if web is not None:
            stop(web)
        if replica is not None:
            remove(replica)
        remove(primary)


def test_a_replica_lagging_by_minutes_serves_the_public_and_a_writer_reads_its_writes(site):
    # given a replica that applies every commit ten minutes after the primary
    wait_for(site.replica_caught_up, what="the replica caught up")
    site.replica_delay(LAG)
    try:
        # when a company is created on the primary (the replica receives it, but waits)
        code = site.company_create()
        written = site.primary.sql("SELECT pg_current_wal_lsn()::text")[0]
        wait_for(
            lambda: site.replica.sql(f"SELECT pg_last_wal_receive_lsn() >= '{written}'")[0],
            what="the replica received the company",
        )
        assert not site.replica_caught_up()

        # then the public reads the replica: served, without the company yet
        public = Browser(site.base)
        assert public.request("/portal/")[0] == 200
        assert public.request(f"/portal/subjects/{code}/")[0] == 404

        # and a browser that has just written (logged in: a session row on the primary) reads
        # from the primary: its own session, and the company written before it
        operator = Browser(site.base)
        operator.log_in("operator")
        status, page = operator.request("/portal/")
        assert status == 200
        assert "operator" in page  # signed in: its session was read where it was written
        assert operator.request(f"/portal/subjects/{code}/")[0] == 200
        assert not site.replica.sql(
            f"SELECT 1 FROM directory_subject WHERE code = '{code}'",  # noqa: S608
            database="chengnuo",
        )
    finally:
        site.replica_delay("0")

    # and once the replica has caught up, the public sees the company too
    wait_for(site.replica_caught_up, what="the replica caught up")
    assert Browser(site.base).request(f"/portal/subjects/{code}/")[0] == 200


def test_a_replica_that_is_down_leaves_every_read_to_the_primary(site):
    code = site.company_create()
    operator = Browser(site.base)
    operator.log_in("operator")
    public = Browser(site.base)
    # given the replica has stopped (its kept connection in the server is dead)
    site.replica.stop()
    try:
        # when the public and a signed-in regulator read replica pages
        statuses = [
            public.request("/portal/")[0],
            public.request(f"/portal/subjects/{code}/")[0],
            public.request("/portal/commitments/")[0],
            operator.request("/portal/")[0],
            operator.request("/regulator/credit/statistics/")[0],
        ]
        # then every page is served, from the primary
        assert statuses == [200] * len(statuses), (statuses, site.log.read_text()[-3000:])
        assert "replica unavailable" in site.log.read_text()
    finally:
        site.replica.start()
        wait_for(site.replica_caught_up, what="the replica is back")
