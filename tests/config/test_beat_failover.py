"""Several schedulers, one active (RedBeat, ADR 0029): a killed scheduler's standby takes over.

Two real ``celery beat`` processes with RedBeat on the real Redis share one schedule (the
project's ``CELERY_BEAT_SCHEDULE``; the minute timers every 2 s here, the hourly and daily
ones as they are) under a key prefix of the test's own. The test kills the one that holds
the lock (SIGKILL: no chance to release it) and shows that the other takes over once the
lock expires, that the two never sent at the same time, and that each timer fired once per
due time: across both schedulers its sends are at least its interval apart (a due time the
killed one served is not served again), the hourly and daily timers are not fired early by
the one that took over, and the sends reached the broker.

The same, with RedBeat's Redis behind three Sentinels of the test's own: its primary is lost
(SIGKILL) while the first scheduler holds the lock, and both schedulers keep running while the
sentinels promote the replica; the timers go on, each due time still sent once.

The schedulers are production's (``config.beat.Scheduler``). The tasks go to a queue of the
test's own that no worker reads; the test reads the messages.
"""

from __future__ import annotations

import contextlib
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

from config.beat import READY
from tests.notifications.peers import RedisServer, redis_behind_sentinels
from tests.processes import celery, start, stop, wait_for

pytestmark = pytest.mark.integration

MASTER = "chengnuo-beat"
SCHEDULER = "config.beat.Scheduler"  # production's: RedBeat that outlives a Redis failover
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
    command = celery("beat", "-S", SCHEDULER, "-l", "INFO")
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


def _env(run: str, *, redbeat_url: str, redbeat_options: dict | None = None) -> dict[str, str]:
    """The schedulers' environment: the machine's Redis as broker, a queue no worker reads,
    RedBeat's state under a prefix of the test's own, the minute timers every INTERVAL s."""
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "REDBEAT_REDIS_URL": redbeat_url,
        "REDBEAT_KEY_PREFIX": f"chengnuo-test:redbeat:{run}",
        "REDBEAT_LOCK_TIMEOUT": str(LOCK_TIMEOUT),
        "CELERY_BEAT_MAX_LOOP_INTERVAL": "1",
        "CHENGNUO_TEST_QUEUE": f"chengnuo-test-beat-{run}",
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
    if redbeat_options is not None:
        env["REDBEAT_REDIS_OPTIONS"] = json.dumps(redbeat_options)
    return env


def _minute_timers() -> set[str]:
    return {
        name
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
        if entry["schedule"] <= timedelta(seconds=60)
    }


def _each_sent_twice(log: Path, names: set[str], *, after: int = 0) -> bool:
    sent = _sent(log)[after:]
    return all(sent.count(name) >= 2 for name in names)


def _assert_each_timer_fired_once(logs: list[Path], client: redis.Redis, queue: str) -> None:
    """Only the minute timers fired (the hourly and daily ones are not due yet: a scheduler
    taking over does not fire them early); across all schedulers a timer's sends are at least
    its interval apart (its last run is kept in Redis before it is sent), and every send
    reached the broker (a killed scheduler may have died mid-send)."""
    short = _minute_timers()
    sends = sorted(send for log in logs for send in _sends(log))
    assert {name for _at, name in sends} == short, sends
    messages = _messages(client, queue)
    for name in short:
        times = [at for at, sent in sends if sent == name]
        gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
        assert min(gaps) >= timedelta(seconds=INTERVAL) - SLACK, (name, times)
        task = settings.CELERY_BEAT_SCHEDULE[name]["task"]
        assert len(times) - 1 <= messages.count(task) <= len(times), (task, len(times))


@contextlib.contextmanager
def _cleaned(client: redis.Redis, run: str):
    """Remove the test's keys and queue from ``client``, whatever happened."""
    try:
        yield
    finally:
        patterns = (f"chengnuo-test:redbeat:{run}*", f"chengnuo-test-beat-{run}*")
        for key in [key for pattern in patterns for key in client.scan_iter(match=pattern)]:
            client.delete(key)


def _two_schedulers(tmp_path: Path, env: dict[str, str]):
    """The first scheduler holding the lock and sending every minute timer twice, and a
    second one started beside it, waiting."""
    first, first_log = _beat(tmp_path, "first", env)
    wait_for(lambda: _holds_lock(first_log), what="the first scheduler locks", timeout=180)
    second, second_log = _beat(tmp_path, "second", env)
    wait_for(
        lambda: second_log.exists() and READY in second_log.read_text(),
        what="the second scheduler loaded the schedule and waits for the lock",
        timeout=180,
    )
    sent = len(_sent(first_log))
    wait_for(
        lambda: _each_sent_twice(first_log, _minute_timers(), after=sent),
        what="the first scheduler sent every minute timer twice",
        timeout=120,
    )
    assert not _holds_lock(second_log) and _sent(second_log) == []
    return (first, first_log), (second, second_log)


def test_a_killed_scheduler_hands_over_and_each_timer_fires_once(tmp_path):
    broker = settings.CELERY_BROKER_URL
    if not broker.startswith("redis://"):
        pytest.skip("RedBeat needs Redis as CELERY_BROKER_URL")
    run = uuid.uuid4().hex[:12]
    env = _env(run, redbeat_url=broker)
    client = redis.Redis.from_url(broker)
    processes = []
    with _cleaned(client, run):
        try:
            # given one scheduler holding the lock and a second one waiting
            (first, first_log), (second, second_log) = _two_schedulers(tmp_path, env)
            processes += [first, second]

            # when the active scheduler is killed while it holds the lock
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(timeout=30)

            # then the second takes the lock once it expires, and sends the minute timers
            wait_for(lambda: _holds_lock(second_log), what="the second scheduler takes over")
            wait_for(
                lambda: _each_sent_twice(second_log, _minute_timers()),
                what="the second scheduler sent every minute timer twice",
                timeout=120,
            )
        finally:
            for process in processes:
                stop(process)
        # and the two never sent at the same time: the second sent nothing before the kill
        text = second_log.read_text()
        assert text.index(ACQUIRED) < text.index("Sending due task")
        # and each timer fired once per due time
        _assert_each_timer_fired_once([first_log, second_log], client, env["CHENGNUO_TEST_QUEUE"])


def _replication_caught_up(primary: RedisServer, replica: RedisServer) -> bool:
    ahead = redis.Redis.from_url(primary.url).info("replication")["master_repl_offset"]
    return redis.Redis.from_url(replica.url).info("replication").get("slave_repl_offset") == ahead


def test_a_lost_redis_primary_behind_sentinel_stops_no_scheduler(tmp_path):
    """RedBeat's lock through Sentinel, as docs/deployment.md configures it: the Redis that
    holds the lock and the schedule loses its primary (SIGKILL: a host lost) while the active
    scheduler holds the lock; the sentinels promote the replica. Stock RedBeat ended both
    schedulers here (the active one failing to extend its lock, the standby failing to take
    it); production's scheduler waits until the new primary answers, and the timers go on,
    each still fired once per due time, with both schedulers still running."""
    broker = settings.CELERY_BROKER_URL
    if not broker.startswith("redis://"):
        pytest.skip("the timers' messages are read from Redis as CELERY_BROKER_URL")
    primary, replica, sentinels = redis_behind_sentinels(tmp_path, MASTER)
    run = uuid.uuid4().hex[:12]
    env = _env(
        run,
        redbeat_url=f"redis-sentinel://127.0.0.1:{sentinels[0].port}/0",
        redbeat_options={
            "sentinels": [["127.0.0.1", sentinel.port] for sentinel in sentinels],
            "service_name": MASTER,
            "socket_timeout": 1,
            "socket_connect_timeout": 1,
        },
    )
    client = redis.Redis.from_url(broker)
    processes = []
    with _cleaned(client, run):
        try:
            wait_for(
                lambda: all(sentinel.replicas_seen() == 1 for sentinel in sentinels),
                what="the sentinels see the replica",
            )
            # given one scheduler holding the lock through the sentinels and a second waiting
            (first, first_log), (second, second_log) = _two_schedulers(tmp_path, env)
            processes += [first, second]

            # when the primary is lost, with everything it acknowledged on the replica (the
            # active scheduler paused for that moment: a write the replica never received is
            # the asynchronous replication's loss, not the scheduler's)
            os.killpg(first.pid, signal.SIGSTOP)
            try:
                wait_for(
                    lambda: _replication_caught_up(primary, replica),
                    what="the replica caught up",
                    timeout=30,
                )
                primary.kill()
            finally:
                os.killpg(first.pid, signal.SIGCONT)
            sent_before = len(_sent(first_log)), len(_sent(second_log))

            # then the sentinels promote the replica
            wait_for(
                lambda: all(sentinel.primary_port() == replica.port for sentinel in sentinels),
                what="the sentinels promote the replica",
                timeout=60,
            )
            # and the timers go on from the new primary, whichever scheduler holds the lock
            wait_for(
                lambda: all(
                    _sent(first_log)[sent_before[0] :].count(name)
                    + _sent(second_log)[sent_before[1] :].count(name)
                    >= 2
                    for name in _minute_timers()
                ),
                what="every minute timer sent twice after the failover",
                timeout=120,
            )
            # and neither scheduler exited
            assert first.poll() is None and second.poll() is None
        finally:
            for process in processes:
                stop(process)
            for server in (*sentinels, replica, primary):
                server.stop()
        # and each timer fired once per due time, across both schedulers
        _assert_each_timer_fired_once([first_log, second_log], client, env["CHENGNUO_TEST_QUEUE"])
