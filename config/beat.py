"""The production scheduler: RedBeat that outlives a failover of its Redis (ADR 0029).

RedBeat keeps one scheduler active among several with a lock in Redis. Stock RedBeat lets a
lost connection end the process: the active scheduler dies when extending its lock fails, and
a standby whose blocking ``acquire`` fails at start-up dies at its first tick (its lock is
``None``). Behind Redis Sentinel, a lost primary therefore ended every scheduler, and no timer
fired until an operator restarted one (tests/config/test_beat_redis_failover.py showed it).

``Scheduler`` keeps RedBeat's rule that a scheduler sends only right after extending the lock
it holds, and turns the failures into waiting:

- Redis unreachable (the primary lost, the sentinels not yet agreed on another): the tick
  sends nothing and comes back after ``retry_interval``. The lock object is kept: once a
  primary answers, the next tick extends it if the key still carries this scheduler's token.
- The lock no longer this scheduler's (it expired during the failover, and perhaps another
  took it): the scheduler becomes a standby and tries, each tick, to take it again.
- No lock yet (at start, or a standby): one non-blocking attempt per tick. RedBeat's own
  blocking attempt at start-up, which a lost connection turned into a dead scheduler, is
  disconnected: the ticks are the one place the lock is taken.

A retrying Redis connection (RedBeat's ``retry_period`` option) could stall a tick between the
lock's extension and the sends for longer than the lock lives, so that another scheduler sends
the same due time; this scheduler refuses that option.
"""

from __future__ import annotations

import logging

import redis
from celery.signals import beat_init
from django.core.exceptions import ImproperlyConfigured
from redbeat.schedulers import (
    LUA_EXTEND_TO_SCRIPT,
    RedBeatScheduler,
    acquire_distributed_beat_lock,
    get_redis,
)
from redis.exceptions import LockError

logger = logging.getLogger(__name__)

UNREACHABLE = (redis.ConnectionError, redis.TimeoutError)
READY = "beat: Schedule ready; taking the lock when it is free"

beat_init.disconnect(acquire_distributed_beat_lock)


class Scheduler(RedBeatScheduler):
    """RedBeat's scheduler, waiting out a lost Redis primary instead of exiting."""

    #: Seconds between attempts while Redis is unreachable or another scheduler holds the lock.
    retry_interval = 1.0

    def __init__(self, app, *args, **kwargs):
        options = app.conf.get("redbeat_redis_options") or {}
        if options.get("retry_period") is not None:
            raise ImproperlyConfigured(
                "REDBEAT_REDIS_OPTIONS must not set retry_period: a retried call could outlast "
                "the scheduler's lock between extending it and sending (config/beat.py)."
            )
        super().__init__(app, *args, **kwargs)
        logger.info(READY)

    def tick(self, min=min, **kwargs):
        interval = min(self.retry_interval, self.max_interval)
        try:
            if self.lock_key and self.lock is None and not self._acquire():
                return interval
            return super().tick(min=min, **kwargs)
        except LockError:
            logger.warning("beat: The lock is no longer ours; standing by")
            self.lock = None
        except UNREACHABLE as error:
            logger.warning("beat: Redis unreachable (%s); sending nothing until it answers", error)
        return interval

    def _acquire(self) -> bool:
        """One attempt to take the lock, as RedBeat's start-up does, without waiting."""
        client = get_redis(self.app)
        lock = client.lock(self.lock_key, timeout=self.lock_timeout, sleep=self.max_interval)
        lock.lua_extend = client.register_script(LUA_EXTEND_TO_SCRIPT)
        if not lock.acquire(blocking=False):
            return False
        logger.info("beat: Acquired lock")
        self.lock = lock
        return True

    def close(self):
        try:
            super().close()
        except UNREACHABLE:  # the lock expires by itself; the rest of the closing still runs
            self.lock = None
            super(RedBeatScheduler, self).close()
