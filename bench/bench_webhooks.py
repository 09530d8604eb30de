"""P12 — webhook fan-out: signed record-change webhooks delivered per second to a local receiver.

One repaired record is fanned out to ``--systems`` calling systems subscribed to every change
(one outbox row each, written in the repair's transaction), then the outbox delivery
(``outbox_deliver_due``, as the Celery task runs it: one row claimed, signed, POSTed and logged
per transaction) hands them to a real HTTP receiver on loopback (``ThreadingHTTPServer``) that
verifies every signature and rejects replays. Timed: the fan-out write, and the delivery, each
for several rounds; medians with [min–max].

    .venv/bin/python bench/bench_webhooks.py [--systems 200] [--rounds 3] [--keep-db]

Uses BENCH_WEBHOOKS_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/chengnuo_bench_webhooks).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
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


class Receiver:
    """Verifies every delivery with the receiver-side helper; counts what it accepted."""

    def __init__(self, secrets_by_path: dict[str, str]) -> None:
        from notifications.webhooks import ReplayGuard

        self.secrets = secrets_by_path
        self.guard = ReplayGuard()
        self.accepted = 0
        self.rejected = 0
        self.lock = threading.Lock()

    def serve(self) -> tuple[ThreadingHTTPServer, str]:
        from notifications.webhooks import WebhookRejected, webhook_verify

        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    try:
                        webhook_verify(
                            secret=receiver.secrets[self.path],
                            headers=dict(self.headers.items()),
                            body=body,
                            guard=receiver.guard,
                        )
                        receiver.accepted += 1
                        status = 204
                    except WebhookRejected:
                        receiver.rejected += 1
                        status = 400
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server, f"http://127.0.0.1:{server.server_address[1]}"


def _subscribers(systems: int, receiver: Receiver, base: str) -> None:
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
        _subscription, secret = change_subscription_set(system=system, scope="all", url=base + path)
        receiver.secrets[path] = secret


def _round(receiver: Receiver) -> dict:
    from credit.changes.models import RecordChangeNotice
    from credit.changes.services import record_change_queue
    from notifications.services.delivery import outbox_deliver_due
    from tests.factories import BreachFactory

    breach = BreachFactory()
    started = time.perf_counter()
    notices = record_change_queue(breach=breach, change=RecordChangeNotice.Change.REPAIRED)
    fan_out = time.perf_counter() - started
    before = receiver.accepted
    started = time.perf_counter()
    delivered = 0
    while True:
        run = outbox_deliver_due(limit=500)
        delivered += run.sent
        if not run.more_due:
            break
    delivery = time.perf_counter() - started
    return {
        "webhooks": len(notices),
        "fan_out_s": fan_out,
        "delivery_s": delivery,
        "delivered": delivered,
        "accepted": receiver.accepted - before,
        "deliveries_per_s": delivered / delivery,
    }


def run(*, systems: int = 200, rounds: int = 3, keep_db: bool = False) -> dict:
    url = os.environ.get("BENCH_WEBHOOKS_DATABASE_URL", DEFAULT_DATABASE_URL)
    _environment(url)
    _database(url, recreate=not keep_db)
    import django

    django.setup()
    receiver = Receiver({})
    server, base = receiver.serve()
    try:
        from credit.changes.models import ChangeSubscription
        from notifications.models import OutboxMessage

        ChangeSubscription.objects.all().delete()  # a kept database's earlier subscribers
        OutboxMessage.objects.filter(status__in=["pending", "failed"]).update(status="dead")
        _subscribers(systems, receiver, base)
        results = [_round(receiver) for _number in range(rounds)]
    finally:
        server.shutdown()
    rates = [r["deliveries_per_s"] for r in results]
    fan_outs = [r["fan_out_s"] * 1000 for r in results]
    return {
        "systems": systems,
        "rounds": results,
        "deliveries_per_s": (statistics.median(rates), min(rates), max(rates)),
        "fan_out_ms": (statistics.median(fan_outs), min(fan_outs), max(fan_outs)),
        "rejected": receiver.rejected,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()
    figures = run(systems=args.systems, rounds=args.rounds, keep_db=args.keep_db)
    rate, low, high = figures["deliveries_per_s"]
    fan, fan_low, fan_high = figures["fan_out_ms"]
    print(f"P12 webhook fan-out to {figures['systems']} subscribers, {args.rounds} rounds")
    print(f"  fan-out write (outbox rows): {fan:,.0f} ms [{fan_low:,.0f}–{fan_high:,.0f}]")
    print(f"  delivery: {rate:,.1f} deliveries/s [{low:,.1f}–{high:,.1f}]")
    for number, result in enumerate(figures["rounds"]):
        print(
            f"  round {number}: {result['delivered']} delivered, {result['accepted']} accepted"
            f" by the receiver"
        )
    print(f"  rejected by the receiver: {figures['rejected']}")
    ok = figures["rejected"] == 0 and all(
        r["delivered"] == r["accepted"] == r["webhooks"] for r in figures["rounds"]
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
