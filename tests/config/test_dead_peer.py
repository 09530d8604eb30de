"""A database connection ends when its other end falls off the network (ADR 0037).

The end-to-end case is ``test_several_hosts``: a worker host cut off in the middle of a
signing. Here, the settings that make it so: the server is asked to probe an idle client and
to give up on unacknowledged data, so a vanished client's transaction is rolled back and its
locks go within ``DATABASE_DEAD_PEER_SECONDS``.
"""

from __future__ import annotations

import pytest
from django.db import connection

from config.settings.base import dead_peer_options


@pytest.mark.django_db
def test_the_server_ends_a_connection_whose_client_vanished_within_the_set_time():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no network connection")
    # given this process's connection, made with the default settings (30 s)
    with connection.cursor() as cursor:
        settings = {}
        for name in ("idle", "interval", "count"):
            cursor.execute(f"SHOW tcp_keepalives_{name}")
            settings[name] = int(cursor.fetchone()[0])
        cursor.execute("SHOW tcp_user_timeout")
        user_timeout = int(cursor.fetchone()[0])
    # then the server probes it after 10 s idle, gives up after 4 probes 5 s apart, and on
    # data unacknowledged for 30 s: a vanished client is let go within 30 s
    assert settings == {"idle": 10, "interval": 5, "count": 4}
    assert settings["idle"] + settings["interval"] * settings["count"] == 30
    assert user_timeout == 30_000


def test_a_connection_url_keeps_its_own_server_options():
    config = {"OPTIONS": {"options": "-c search_path=chengnuo"}}
    options = dead_peer_options(config)["options"]
    assert options.startswith("-c search_path=chengnuo -c tcp_keepalives_idle=10 ")


def test_zero_leaves_it_to_the_server(monkeypatch):
    monkeypatch.setenv("DATABASE_DEAD_PEER_SECONDS", "0")
    assert dead_peer_options({"OPTIONS": {}}) == {}
