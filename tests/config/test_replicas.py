"""The read router's decisions, without a replica server (``test_read_replica`` has one)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.core.exceptions import MiddlewareNotUsed
from django.db import connections

from config import replicas
from directory.models import Subject
from tests.processes import ROOT


def test_without_a_replica_the_middleware_is_off_and_every_read_goes_to_the_primary():
    assert "replica" not in connections.settings
    with pytest.raises(MiddlewareNotUsed):
        replicas.ReplicaMiddleware(lambda request: None)
    router = replicas.ReplicaRouter()
    assert router.db_for_read(Subject) is None  # Django's default: the primary
    assert router.db_for_write(Subject) == "default"
    assert router.allow_migrate("default", "directory")
    assert not router.allow_migrate("replica", "directory")


def test_a_request_that_writes_reads_from_the_primary_from_then_on():
    router = replicas.ReplicaRouter()
    route = replicas._Route(read=replicas.REPLICA)
    token = replicas._route.set(route)
    try:
        assert router.db_for_read(Subject) == "replica"
        assert router.db_for_write(Subject) == "default"
        assert route.wrote
        assert router.db_for_read(Subject) is None
    finally:
        replicas._route.reset(token)
    assert router.db_for_read(Subject) is None


def _settings_of(module: str, **env: str) -> dict:
    """Some settings of ``module`` as a fresh process reads them from ``env``."""
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "from config.celery import app; print(json.dumps({'beat': app.conf.beat_scheduler, "
        "'databases': sorted(s.DATABASES), 'replica': s.DATABASES.get('replica', {}).get('TEST')}))"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": module, **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_embedded_default_keeps_one_file_scheduler_and_production_runs_redbeat(tmp_path):
    local = _settings_of("config.settings.local", CHENGNUO_DATA_DIR=str(tmp_path))
    assert local == {
        "beat": "celery.beat:PersistentScheduler",
        "databases": ["default"],
        "replica": None,
    }
    production = _settings_of(
        "config.settings.production",
        DJANGO_SECRET_KEY="x" * 50,
        DATABASE_URL="postgres://chengnuo@primary.internal/chengnuo",
        DATABASE_REPLICA_URL="postgres://chengnuo@replica.internal/chengnuo",
        CHENGNUO_DATA_DIR=str(tmp_path),
    )
    assert production["beat"] == "config.beat.Scheduler"
    assert production["databases"] == ["default", "replica"]
    assert production["replica"]["MIRROR"] == "default"
