"""Production's scheduler (config/beat.py) turns a lost lock into standing by, not exiting.

Two schedulers of one fresh Celery app share a lock in the real Redis, under a prefix of the
test's own; their schedule is empty, so a tick only takes or extends the lock.
"""

from __future__ import annotations

import uuid

import pytest
import redis
from celery import Celery
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.beat import Scheduler


def _app(**conf) -> Celery:
    app = Celery("chengnuo-beat-lock", set_as_current=False)
    app.conf.update(beat_schedule={}, beat_max_loop_interval=1, **conf)
    return app


def test_a_retrying_redis_connection_is_refused():
    # a retried call could stall a tick between extending the lock and sending, past the lock
    with pytest.raises(ImproperlyConfigured, match="retry_period"):
        Scheduler(app=_app(redbeat_redis_options={"retry_period": 60}))


def test_a_scheduler_whose_lock_was_taken_stands_by_and_takes_it_back_when_free():
    broker = settings.CELERY_BROKER_URL
    if not broker.startswith("redis://"):
        pytest.skip("the lock lives in Redis")
    prefix = f"chengnuo-test:beat-lock:{uuid.uuid4().hex[:12]}"
    app = _app(
        broker_url=broker,
        redbeat_redis_url=broker,
        redbeat_key_prefix=prefix,
        redbeat_lock_timeout=30,
    )
    client = redis.Redis.from_url(broker)
    first, second = Scheduler(app=app), Scheduler(app=app)
    try:
        # given the first scheduler holding the lock, the second waiting for it
        first.tick()
        second.tick()
        assert first.lock is not None and second.lock is None
        # when the lock expires while the first cannot renew it, and the second takes it
        client.delete(first.lock_key)
        second.tick()
        assert second.lock is not None and second.lock.owned()
        # then the first, finding the lock no longer its own, stands by instead of exiting
        assert first.tick() == 1.0
        assert first.lock is None
        first.tick()
        assert first.lock is None
        # and takes the lock again once the second lets it go
        second.close()
        first.tick()
        assert first.lock is not None and first.lock.owned()
    finally:
        first.close()
        second.close()
        for key in client.scan_iter(match=f"{prefix}*"):
            client.delete(key)
