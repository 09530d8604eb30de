"""P9 — soak: concurrent clients doing the whole journey over HTTP against a real stack.

Each client is one company's applicant and the regulator of its district, and goes round the
journey until the time is up:

1. create a draft (``POST /api/v1/commitments/create/``);
2. sign it (``…/sign/``: render, the applicant's signature, the platform's seal, the
   register, verification assigned to the district's regulator);
3. report the first obligation with a PDF as evidence (``/api/v1/obligations/<id>/report/``);
4. the regulator finds the task in the inbox, or claims it from the queue (``/api/v1/tasks/…``);
5. the regulator verifies it as fulfilled (``…/verify/``);
6. anyone verifies the signed document (``/verify/<reference>/?format=json``);
7. a calling system checks the company (``/api/v1/check/<code>/``).

The stack is production's: gunicorn (``config/gunicorn.conf.py``, 2 gthread workers), PostgreSQL,
Redis as the broker, a real Celery worker with embedded beat delivering the notifications to a
real SMTP server on loopback. The reference is the same journey with one client in the same run
(P2's single-client rate, over HTTP). Reported: journeys and requests per second, p50/p99 per
step, every response that was not the expected status, and after the run whether every
e-mail the journeys caused reached the SMTP server.

Targets (shared/performance.md): 0 server errors; p99 ≤ 1 s; throughput reported.

    python bench/bench_soak.py [--clients 50] [--duration 60] [--reference-duration 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.serving import (  # noqa: E402
    SmtpCounter,
    free_port,
    start_server,
    start_worker,
    stop_server,
)

TARGET_P99_MS = 1000.0
MATTER = "food-business-permit"
CALLER = "soak-checker"
APPLICANT_PASSWORD = "soak-applicant"  # noqa: S105 (a benchmark account's)
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
STEPS = ("create", "sign", "report", "claim", "verify", "public verify", "check")


@dataclass
class Actor:
    """One client: the applicant's and its regulator's tokens, and the company's code."""

    applicant: str
    regulator: str
    code: str


@dataclass
class Tally:
    """Every request's latency by step, and every unexpected answer."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    journeys: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, step: str, seconds: float, status: int) -> None:
        with self.lock:
            self.latencies[step].append(seconds)
            self.statuses[status] += 1


# Data ----------------------------------------------------------------------------------------


def load(*, clients: int) -> tuple[list[Actor], str, str]:
    """A city with one district, department and regulator per client (so each client's
    regulator sees exactly its tasks), the template of P2, and a calling system."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from access.services import token_issue
    from bench import bench_lifecycle
    from credit.check.services import calling_system_register
    from directory.models import RegulatorMembership, Subject

    fixture = bench_lifecycle.setup(count=clients, districts=clients, regulators_per_department=1)
    regulator_of = {
        m.department.region_id: m.user_id
        for m in RegulatorMembership.objects.select_related("department")
    }
    users = get_user_model().objects.in_bulk(
        [pk for pk, _subject in fixture.applicants] + list(regulator_of.values())
    )
    # A token signs with the person's password (access.reauth): one hash, shared by all.
    get_user_model().objects.filter(pk__in=[pk for pk, _s in fixture.applicants]).update(
        password=make_password(APPLICANT_PASSWORD)
    )
    actors = []
    for user_pk, subject_pk in fixture.applicants:
        subject = Subject.objects.get(pk=subject_pk)
        regulator = users[regulator_of[subject.region_id]]
        actors.append(
            Actor(
                applicant=token_issue(user=users[user_pk], name="soak", by=None).secret,
                regulator=token_issue(user=regulator, name="soak", by=None).secret,
                code=subject.code,
            )
        )
    _system, caller = calling_system_register(
        code=CALLER, name="Soak caller", username=CALLER, by=None
    )
    return actors, _template_code(fixture.template_pk), caller


def _template_code(pk: int) -> str:
    from commitments.catalogue.models import CommitmentTemplate

    return CommitmentTemplate.objects.get(pk=pk).code


# The journey ---------------------------------------------------------------------------------


class Journey:
    """One client's loop; every request is timed and its status checked."""

    def __init__(self, base: str, actor: Actor, template: str, caller: str, tally: Tally):
        self.base, self.actor, self.template, self.caller, self.tally = (
            base,
            actor,
            template,
            caller,
            tally,
        )
        self.session = requests.Session()

    def _call(self, step: str, method: str, path: str, token: str | None, expect: int, **kw):
        headers = {"Authorization": f"Token {token}"} if token else {}
        started = time.perf_counter()
        try:
            response = self.session.request(
                method, self.base + path, headers=headers, timeout=60, **kw
            )
        except requests.RequestException as error:
            self.tally.record(step, time.perf_counter() - started, 0)
            with self.tally.lock:
                self.tally.unexpected.append(f"{step}: {error!r}")
            return None
        self.tally.record(step, time.perf_counter() - started, response.status_code)
        if response.status_code != expect:
            with self.tally.lock:
                self.tally.unexpected.append(
                    f"{step} {method} {path}: {response.status_code} {response.text[:300]}"
                )
            return None
        return response.json() if "json" in response.headers.get("Content-Type", "") else {}

    def once(self) -> bool:
        actor = self.actor
        created = self._call(
            "create",
            "POST",
            "/api/v1/commitments/create/",
            actor.applicant,
            201,
            json={
                "template_code": self.template,
                "template_version": 1,
                "subject": actor.code,
                "field_values": {
                    "premises": "深圳市南山区科技园1号",
                    "scope": "热食类食品制售",
                    "person_in_charge": "张三",
                },
            },
        )
        if created is None:
            return False
        reference = created["reference"]
        signed = self._call(
            "sign",
            "POST",
            f"/api/v1/commitments/{reference}/sign/",
            actor.applicant,
            200,
            json={"password": APPLICANT_PASSWORD},
        )
        if signed is None:
            return False
        obligation = signed["obligations"][0]["id"]
        if (
            self._call(
                "report",
                "POST",
                f"/api/v1/obligations/{obligation}/report/",
                actor.applicant,
                201,
                data={"text": "已取得场所使用证明"},
                files={"files": ("lease.pdf", PDF, "application/pdf")},
            )
            is None
        ):
            return False
        task = self._task(reference)
        if task is None:
            return False
        if (
            self._call(
                "verify",
                "POST",
                f"/api/v1/tasks/{task}/verify/",
                actor.regulator,
                200,
                json={"method": "on_site", "finding": "fulfilled"},
            )
            is None
        ):
            return False
        public = f"/verify/{reference}/?format=json"
        if self._call("public verify", "GET", public, None, 200) is None:
            return False
        checked = self._call(
            "check",
            "GET",
            f"/api/v1/check/{actor.code}/?purpose=approval&reason=soak&matter={MATTER}",
            self.caller,
            200,
        )
        return checked is not None

    def _task(self, reference: str) -> int | None:
        """The regulator's task for ``reference``: assigned to the inbox, or claimed."""
        inbox = self._call("claim", "GET", "/api/v1/tasks/inbox/", self.actor.regulator, 200)
        if inbox is None:
            return None
        for task in inbox["results"]:
            if task["commitment"] == reference:
                return task["id"]
        queue = self._call("claim", "GET", "/api/v1/tasks/queue/", self.actor.regulator, 200)
        for task in (queue or {}).get("results", []):
            if task["commitment"] == reference:
                claimed = self._call(
                    "claim",
                    "POST",
                    f"/api/v1/tasks/{task['id']}/claim/",
                    self.actor.regulator,
                    200,
                )
                return task["id"] if claimed is not None else None
        with self.tally.lock:
            self.tally.unexpected.append(f"claim: no task for {reference}")
        return None


def drive(
    base: str, actors: list[Actor], template: str, caller: str, *, seconds: float
) -> tuple[Tally, float]:
    """Run one thread per actor for ``seconds``; each finishes the journey it is in."""
    tally = Tally()
    stop_at = time.monotonic() + seconds

    def loop(actor: Actor) -> None:
        journey = Journey(base, actor, template, caller, tally)
        while time.monotonic() < stop_at:
            if journey.once():
                with tally.lock:
                    tally.journeys += 1

    threads = [threading.Thread(target=loop, args=(a,), daemon=True) for a in actors]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally, time.perf_counter() - started


# Figures -------------------------------------------------------------------------------------


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


def summary(tally: Tally, wall: float) -> dict:
    everything = [s for values in tally.latencies.values() for s in values]
    return {
        "journeys": tally.journeys,
        "journeys_per_s": tally.journeys / wall,
        "requests": len(everything),
        "requests_per_s": len(everything) / wall,
        "server_errors": sum(n for status, n in tally.statuses.items() if status >= 500),
        "connection_errors": tally.statuses.get(0, 0),
        "unexpected": len(tally.unexpected),
        "statuses": dict(sorted(tally.statuses.items())),
        "p50_ms": _percentile(everything, 0.50) if everything else 0.0,
        "p99_ms": _percentile(everything, 0.99) if everything else 0.0,
        "steps": {
            step: {
                "requests": len(tally.latencies[step]),
                "p50_ms": statistics.median(tally.latencies[step]) * 1000,
                "p99_ms": _percentile(tally.latencies[step], 0.99),
            }
            for step in STEPS
            if tally.latencies.get(step)
        },
        "first_unexpected": tally.unexpected[:10],
    }


def _outbox_drained(deadline_s: float) -> dict:
    """Wait (bounded) for the worker to deliver every message the run caused; the counts."""
    from notifications.models import Channel, OutboxMessage

    deadline = time.monotonic() + deadline_s
    while True:
        not_sent = OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENT).count()
        if not not_sent or time.monotonic() > deadline:
            return {
                "outbox_not_sent": not_sent,
                "emails_in_outbox": OutboxMessage.objects.filter(channel=Channel.EMAIL).count(),
            }
        time.sleep(1)


def run(*, clients: int, duration: int, reference_duration: int) -> dict:
    actors, template, caller = load(clients=clients)
    data_dir = Path(os.environ["CHENGNUO_DATA_DIR"])
    with SmtpCounter() as smtp:
        mail = {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp.port),
        }
        port = free_port()
        server = start_server(port, environment=mail)
        worker = start_worker(
            log=data_dir / "log" / "soak-worker.log",
            schedule=data_dir / "soak-beat-schedule",
            environment=mail,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            reference, reference_wall = drive(
                base, actors[:1], template, caller, seconds=reference_duration
            )
            soak, soak_wall = drive(base, actors, template, caller, seconds=duration)
            delivery = _outbox_drained(120)
            delivery["smtp_accepted"] = smtp.accepted
            delivery["smtp_distinct_message_ids"] = smtp.distinct
        finally:
            stop_server(server)
            stop_server(worker)
    result = {
        "clients": clients,
        "duration_s": duration,
        "reference": summary(reference, reference_wall),
        "soak": summary(soak, soak_wall),
        "delivery": delivery,
    }
    result["ratio_vs_single_client"] = (
        result["soak"]["journeys_per_s"] / result["reference"]["journeys_per_s"]
        if result["reference"]["journeys_per_s"]
        else 0.0
    )
    result["targets"] = {
        "0 server errors": result["soak"]["server_errors"] == 0
        and result["reference"]["server_errors"] == 0,
        f"p99 ≤ {TARGET_P99_MS:.0f} ms": result["soak"]["p99_ms"] <= TARGET_P99_MS,
        # at least once: every e-mail of the outbox reached the SMTP server, under its own id
        "nothing lost": delivery["outbox_not_sent"] == 0
        and delivery["smtp_distinct_message_ids"] == delivery["emails_in_outbox"],
    }
    return result


def print_table(result: dict) -> None:
    print()
    print(
        f"P9 soak — {result['clients']} clients × {result['duration_s']} s, the whole journey "
        "(create, sign, report, claim, verify, public verify, check) over HTTP"
    )
    for name in ("reference", "soak"):
        s = result[name]
        label = "1 client" if name == "reference" else f"{result['clients']} clients"
        print(
            f"   {label:>10}: {s['journeys']} journeys, {s['journeys_per_s']:.2f} journeys/s, "
            f"{s['requests_per_s']:.1f} requests/s; p50 {s['p50_ms']:.0f} ms, "
            f"p99 {s['p99_ms']:.0f} ms; server errors {s['server_errors']}, "
            f"connection errors {s['connection_errors']}, other unexpected "
            f"{s['unexpected'] - s['server_errors'] - s['connection_errors']}"
        )
    print(f"   throughput vs one client: {result['ratio_vs_single_client']:.2f}×")
    print(f"   {'step':<14}{'requests':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for step, s in result["soak"]["steps"].items():
        print(f"   {step:<14}{s['requests']:>10}{s['p50_ms']:>10.0f}{s['p99_ms']:>10.0f}")
    print(f"   statuses: {result['soak']['statuses']}")
    for line in result["soak"]["first_unexpected"]:
        print(f"   unexpected: {line}")
    print(f"   delivery after the run: {result['delivery']}")
    print(
        "   targets: "
        + "; ".join(f"{n}: {'met' if ok else 'MISSED'}" for n, ok in result["targets"].items())
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=int, default=60, help="seconds of the soak")
    parser.add_argument(
        "--reference-duration", type=int, default=15, help="seconds of the one-client run"
    )
    args = parser.parse_args()

    from bench.run import _environment, _recreate_database

    url = _environment()
    parts = urlsplit(url)
    url = urlunsplit(parts._replace(path=parts.path + "_soak"))
    os.environ["DATABASE_URL"] = url
    _recreate_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("signing_init", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    result = run(
        clients=args.clients, duration=args.duration, reference_duration=args.reference_duration
    )
    print_table(result)
    return 0 if all(result["targets"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
