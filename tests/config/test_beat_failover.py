"""Several schedulers, one active (RedBeat, ADR 0029): a killed scheduler's standby takes over.

Two real ``celery beat`` processes with RedBeat on the real Redis share one schedule (the
project's ``CELERY_BEAT_SCHEDULE``; the minute timers every 2 s here, the hourly and daily
ones as they are) under a key prefix of the test's own. The test kills the one that holds
the lock (SIGKILL: no chance to release it) and shows that the other takes over once the
lock expires, that the two never sent at the same time, and that each timer fired once per
due time: across both schedulers its sends are at least its interval apart (a due time the
killed one served is not served again), the hourly and daily timers are not fired early by
the one that took over, and the sends reached the broker.

The tasks go to a queue of the test's own that no worker reads; the test reads the messages.
"""

from __future__ import annotations

import json
import os
import re
import signal
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import redis
from django.conf import settings

from tests.processes import celery, start, stop, wait_for

pytestmark = pytest.mark.integration

INTERVAL = 2  # seconds, for the timers whose interval comes from the environment
LOCK_TIMEOUT = 4  # seconds without renewal before a standby may take the lock
ACQUIRED = "beat: Acquired lock"
LOG_TIME = "%Y-%m-%d %H:%M:%S,%f"
# The log stamps a send a moment after the scheduler stored its run time in Redis.
SLACK = timedelta(milliseconds=100)
SENT = re.compile(
    r"^\[([\d-]+ [\d:,]+): INFO/MainProcess\] Scheduler: Sending due task (\S+) ", re.M
)


def _sends(log: Path) -> list[tuple[datetime, str]]:
    """When a scheduler sent which timer, in order (its log's clock: this machine's)."""
    text = log.read_text() if log.exists() else ""
    return [(datetime.strptime(at, LOG_TIME), name) for at, name in SENT.findall(text)]


def _sent(log: Path) -> list[str]:
    """The names of the timers a scheduler sent, in order."""
    return [name for _at, name in _sends(log)]


def _holds_lock(log: Path) -> bool:
    return log.exists() and ACQUIRED in log.read_text()


def _beat(tmp_path: Path, name: str, env: dict[str, str]):
    log = tmp_path / f"beat-{name}.log"
    command = celery("beat", "-S", "redbeat.RedBeatScheduler", "-l", "INFO")
    command += ["--pidfile", str(tmp_path / f"beat-{name}.pid")]
    return start(command, env=env, log=log), log


def _messages(client: redis.Redis, queue: str) -> list[str]:
    """The task names of the messages waiting in ``queue`` (every priority list of it)."""
    names = []
    for key in client.scan_iter(match=f"{queue}*"):
        if client.type(key) == b"list":
            for raw in client.lrange(key, 0, -1):
                names.append(json.loads(raw)["headers"]["task"])
    return names


def test_a_killed_scheduler_hands_over_and_each_timer_fires_once(tmp_path):
    broker = settings.CELERY_BROKER_URL
    if not broker.startswith("redis://"):
        pytest.skip("RedBeat needs Redis as CELERY_BROKER_URL")
    run = uuid.uuid4().hex[:12]
    prefix, queue = f"chengnuo-test:redbeat:{run}", f"chengnuo-test-beat-{run}"
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "CELERY_BROKER_URL": broker,
        "REDBEAT_REDIS_URL": broker,
        "REDBEAT_KEY_PREFIX": prefix,
        "REDBEAT_LOCK_TIMEOUT": str(LOCK_TIMEOUT),
        "CELERY_BEAT_MAX_LOOP_INTERVAL": "1",
        "CHENGNUO_TEST_QUEUE": queue,
        **{
            variable: str(INTERVAL)
            for variable in (
                "WORKFLOW_TIMER_INTERVAL",
                "OUTBOX_SWEEP_INTERVAL",
                "SIGNING_RESUME_INTERVAL",
                "OBLIGATION_SWEEP_INTERVAL",
            )
        },
    }
    short = {
        name
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
        if entry["schedule"] <= timedelta(seconds=60)
    }
    client = redis.Redis.from_url(broker)
    try:
        first = second = None
        try:
            # given one scheduler holding the lock and sending every timer
            first, first_log = _beat(tmp_path, "first", env)
            wait_for(lambda: _holds_lock(first_log), what="the first scheduler locks", timeout=180)
            # and a second one started beside it, waiting for the lock
            second, second_log = _beat(tmp_path, "second", env)
            wait_for(
                lambda: second_log.exists() and "beat: Starting" in second_log.read_text(),
                what="the second scheduler started",
                timeout=180,
            )
            wait_for(
                lambda: all(_sent(first_log).count(name) >= 2 for name in short),
                what="the first scheduler sent every minute timer twice",
                timeout=120,
            )
            assert not _holds_lock(second_log) and _sent(second_log) == []

            # when the active scheduler is killed while it holds the lock
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(timeout=30)
            sent_by_first = _sent(first_log)

            # then the second takes the lock once it expires, and sends the minute timers
            wait_for(lambda: _holds_lock(second_log), what="the second scheduler takes over")
            wait_for(
                lambda: all(_sent(second_log).count(name) >= 2 for name in short),
                what="the second scheduler sent every minute timer twice",
                timeout=120,
            )
        finally:
            for process in (first, second):
                if process is not None:
                    stop(process)
        # and only the minute timers fired (the hourly and daily ones are not due yet: a
        # scheduler taking over does not fire them early)
        assert set(sent_by_first) == short, sent_by_first
        assert set(_sent(second_log)) == short
        # and the two never sent at the same time: the second sent nothing before the kill
        text = second_log.read_text()
        assert text.index(ACQUIRED) < text.index("Sending due task")
        # and each timer fired once per due time: across both schedulers, a timer's sends are
        # at least its interval apart (its last run is kept in Redis before it is sent)
        sends = [*_sends(first_log), *_sends(second_log)]
        messages = _messages(client, queue)
        for name in short:
            times = [at for at, sent in sends if sent == name]
            gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
            assert min(gaps) >= timedelta(seconds=INTERVAL) - SLACK, (name, times)
            # and every send reached the broker (the killed one may have died mid-send)
            task = settings.CELERY_BEAT_SCHEDULE[name]["task"]
            assert len(times) - 1 <= messages.count(task) <= len(times), (task, len(times))
    finally:  # the test's keys and queue, whatever happened
        for key in [*client.scan_iter(match=f"{prefix}*"), *client.scan_iter(match=f"{queue}*")]:
            client.delete(key)
