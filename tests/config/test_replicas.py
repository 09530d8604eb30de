"""The read router's decisions, without a replica server (``test_read_replica`` has one)."""

from __future__ import annotations

import pytest
from django.core.exceptions import MiddlewareNotUsed
from django.db import connections

from config import replicas
from directory.models import Subject


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
