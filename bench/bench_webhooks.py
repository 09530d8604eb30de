"""P12 — webhook fan-out: signed record-change webhooks delivered per second to a local receiver.

One repaired record is fanned out to ``--systems`` calling systems subscribed to every change
(one outbox row each, written in the repair's transaction), then the outbox delivery
(``outbox_deliver_due``, as the Celery task runs it) hands them to a real HTTP receiver on
loopback: a ``ThreadingHTTPServer`` (HTTP/1.1, keep-alive) in its own process that verifies
every signature and rejects replays. Timed: the fan-out write, and the delivery, each for
several rounds; medians with [min–max]. The reference in the same run: one delivery alone.

Then the outage (``--outage 30``): the receiver answers 503 for that many seconds while a
fan-out is delivered; the outbox retries with back-off (base 2 s here instead of 30 s, so the
run stays short) until every webhook is accepted. Reported: how many were accepted, how many
gave up (must be 0), the failed attempts, and how long until the last was accepted.

    .venv/bin/python bench/bench_webhooks.py [--systems 200] [--rounds 3] [--outage 30] [--keep-db]

Uses BENCH_WEBHOOKS_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/chengnuo_bench_webhooks).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/chengnuo_bench_webhooks"


def _environment(url: str) -> None:
    data_dir = ROOT / "var" / "bench-webhooks"
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = url
    os.environ["CHENGNUO_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["LOG_LEVEL"] = "ERROR"
    os.environ["WEBHOOK_ALLOW_PRIVATE"] = "true"  # the receiver is on loopback


def _database(url: str, *, recreate: bool) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as db:
        exists = db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if recreate and exists:
            db.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            db.execute(f'CREATE DATABASE "{name}"')
    subprocess.check_call(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT
    )


def _serve(port: int, secrets: dict[str, str]) -> None:
    """The receiver process: verify every delivery, answer 503 while told to fail."""
    import json
    import threading

    from notifications.webhooks import ReplayGuard, WebhookRejected, webhook_verify

    state = {"accepted": 0, "rejected": 0, "failed": 0, "failing_until": 0.0}
    guard = ReplayGuard()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real receivers answer

        def _answer(self, status: int, body: bytes = b"") -> None:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):  # noqa: N802
            if self.path.startswith("/fail/"):
                state["failing_until"] = time.monotonic() + float(self.path.split("/")[2])
            self._answer(200, json.dumps(state).encode())

        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with lock:
                if time.monotonic() < state["failing_until"]:
                    state["failed"] += 1
                    status = 503
                else:
                    try:
                        webhook_verify(
                            secret=secrets[self.path],
                            headers=dict(self.headers.items()),
                            body=body,
                            guard=guard,
                        )
                        state["accepted"] += 1
                        status = 204
                    except WebhookRejected:
                        state["rejected"] += 1
                        status = 400
            self._answer(status)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.serve_forever()


class Receiver:
    """The receiver in its own process (no GIL shared with the sender), asked for its counts."""

    def __init__(self) -> None:
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.secrets: dict[str, str] = {}
        self.process = None

    def start(self) -> None:
        import multiprocessing

        from django.db import connections

        connections.close_all()  # the child must not share the parent's database socket
        context = multiprocessing.get_context("fork")
        self.process = context.Process(target=_serve, args=(self.port, dict(self.secrets)))
        self.process.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                self.stats()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the receiver did not start")

    def stats(self, path: str = "/stats") -> dict:
        import json
        import urllib.request

        with urllib.request.urlopen(self.base + path, timeout=10) as response:  # noqa: S310
            return json.loads(response.read())

    def fail_for(self, seconds: float) -> None:
        self.stats(f"/fail/{seconds}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.join(10)


def _subscribers(systems: int, receiver: Receiver) -> None:
    """``systems`` calling systems subscribed to every change (users without a password hash:
    the setup is not what is measured)."""
    from django.contrib.auth import get_user_model

    from credit.changes.services import change_subscription_set
    from credit.check.models import CallingSystem

    for index in range(systems):
        user, _new = get_user_model().objects.get_or_create(username=f"bench-hook-{index}")
        system, _new = CallingSystem.objects.get_or_create(
            code=f"bench-hook-{index}", defaults={"name": f"系统{index}", "user": user}
        )
        path = f"/hooks/{index}"
        _subscription, secret = change_subscription_set(
            system=system, scope="all", url=receiver.base + path
        )
        receiver.secrets[path] = secret


def _fan_out():
    from credit.changes.models import RecordChangeNotice
    from credit.changes.services import record_change_queue
    from directory.models import Subject
    from tests.factories import BreachFactory

    # the bench's own subject: a kept database already holds the factory's generated codes
    subject, _created = Subject.objects.get_or_create(
        code="91440300BENCHHOOKS", defaults={"kind": Subject.Kind.COMPANY, "name": "基准推送公司"}
    )
    breach = BreachFactory(subject=subject)
    started = time.perf_counter()
    notices = record_change_queue(breach=breach, change=RecordChangeNotice.Change.REPAIRED)
    return notices, time.perf_counter() - started


def _deliver_all(*, until: float | None = None) -> tuple[int, int, int]:
    """Run the delivery until nothing is due (or, with ``until``, until nothing is left to
    retry or the deadline passes); return (sent, failed attempts, dead)."""
    from notifications.models import OutboxMessage
    from notifications.services.delivery import outbox_deliver_due

    sent = failed = dead = 0
    while True:
        run = outbox_deliver_due(limit=500)
        sent, failed, dead = sent + run.sent, failed + run.failed, dead + run.dead
        if run.more_due:
            continue
        if until is None:
            return sent, failed, dead
        waiting = OutboxMessage.objects.filter(status__in=["pending", "failed"]).exists()
        if not waiting or time.monotonic() > until:
            return sent, failed, dead
        time.sleep(0.2)


def _round(receiver: Receiver) -> dict:
    notices, fan_out = _fan_out()
    before = receiver.stats()["accepted"]
    started = time.perf_counter()
    delivered, _failed, _dead = _deliver_all()
    delivery = time.perf_counter() - started
    return {
        "webhooks": sum(1 for notice in notices if notice.webhook_id),
        "fan_out_s": fan_out,
        "delivery_s": delivery,
        "delivered": delivered,
        "accepted": receiver.stats()["accepted"] - before,
        "deliveries_per_s": delivered / delivery,
    }


def _single(receiver: Receiver, times: int = 20) -> float:
    """The reference: one webhook delivered alone (one subscriber's fan-out), median ms."""
    from credit.changes.models import ChangeSubscription
    from notifications.models import OutboxMessage

    others = list(
        ChangeSubscription.objects.exclude(calling_system__code="bench-hook-0").values_list(
            "pk", "endpoint_id"
        )
    )
    # only the first subscriber hears of these changes: its endpoint alone stays active
    from notifications.models import WebhookEndpoint

    WebhookEndpoint.objects.filter(pk__in=[e for _pk, e in others]).update(is_active=False)
    costs = []
    try:
        for _index in range(times):
            _fan_out()
            started = time.perf_counter()
            _deliver_all()
            costs.append((time.perf_counter() - started) * 1000)
    finally:
        WebhookEndpoint.objects.filter(pk__in=[e for _pk, e in others]).update(is_active=True)
        OutboxMessage.objects.filter(status__in=["pending", "failed"]).update(status="dead")
    return statistics.median(costs)


def _outage(receiver: Receiver, seconds: float) -> dict:
    """A fan-out while the receiver answers 503 for ``seconds``: nothing may be lost."""
    from django.conf import settings

    settings.OUTBOX_RETRY_BASE_SECONDS = 2  # back-off 2, 4, 8, 16, 32 s: past a 30 s outage
    before = receiver.stats()
    receiver.fail_for(seconds)
    started = time.monotonic()
    notices, _fan_out_s = _fan_out()
    sent, failed, dead = _deliver_all(until=started + seconds + 240)
    after = receiver.stats()
    return {
        "webhooks": sum(1 for notice in notices if notice.webhook_id),
        "sent": sent,
        "failed_attempts": failed,
        "dead": dead,
        "answered_503": after["failed"] - before["failed"],
        "accepted": after["accepted"] - before["accepted"],
        "all_accepted_after_s": time.monotonic() - started,
    }


def run(*, systems: int = 200, rounds: int = 3, outage: float = 30, keep_db: bool = False):
    url = os.environ.get("BENCH_WEBHOOKS_DATABASE_URL", DEFAULT_DATABASE_URL)
    _environment(url)
    _database(url, recreate=not keep_db)
    import django

    django.setup()
    receiver = Receiver()
    try:
        from credit.changes.models import ChangeSubscription
        from notifications.models import OutboxMessage

        ChangeSubscription.objects.all().delete()  # a kept database's earlier subscribers
        OutboxMessage.objects.filter(status__in=["pending", "failed"]).update(status="dead")
        _subscribers(systems, receiver)
        receiver.start()
        single_ms = _single(receiver)
        results = [_round(receiver) for _number in range(rounds)]
        outage_result = _outage(receiver, outage) if outage else None
        rejected = receiver.stats()["rejected"]
    finally:
        receiver.stop()
    rates = [r["deliveries_per_s"] for r in results]
    fan_outs = [r["fan_out_s"] * 1000 for r in results]
    return {
        "systems": systems,
        "rounds": results,
        "single_ms": single_ms,
        "deliveries_per_s": (statistics.median(rates), min(rates), max(rates)),
        "fan_out_ms": (statistics.median(fan_outs), min(fan_outs), max(fan_outs)),
        "outage": outage_result,
        "rejected": rejected,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--outage", type=float, default=30, help="seconds of 503 (0: none)")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()
    figures = run(
        systems=args.systems, rounds=args.rounds, outage=args.outage, keep_db=args.keep_db
    )
    rate, low, high = figures["deliveries_per_s"]
    fan, fan_low, fan_high = figures["fan_out_ms"]
    print(f"P12 webhook fan-out to {figures['systems']} subscribers, {args.rounds} rounds")
    print(f"  reference, one webhook alone: {figures['single_ms']:,.1f} ms")
    print(f"  fan-out write (outbox rows): {fan:,.0f} ms [{fan_low:,.0f}–{fan_high:,.0f}]")
    print(f"  delivery: {rate:,.1f} deliveries/s [{low:,.1f}–{high:,.1f}]")
    for number, result in enumerate(figures["rounds"]):
        print(
            f"  round {number}: {result['delivered']} delivered, {result['accepted']} accepted"
            f" by the receiver"
        )
    outage = figures["outage"]
    if outage:
        print(
            f"  outage of {args.outage:.0f} s: {outage['webhooks']} webhooks, "
            f"{outage['accepted']} accepted, {outage['dead']} gave up, "
            f"{outage['failed_attempts']} failed attempts ({outage['answered_503']} answered "
            f"503), all accepted after {outage['all_accepted_after_s']:.1f} s"
        )
    print(f"  rejected by the receiver: {figures['rejected']}")
    ok = figures["rejected"] == 0 and all(
        r["delivered"] == r["accepted"] == r["webhooks"] for r in figures["rounds"]
    )
    if outage:
        ok = ok and outage["dead"] == 0 and outage["accepted"] == outage["webhooks"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
