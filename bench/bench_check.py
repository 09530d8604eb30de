"""P5 — "check every case" over HTTP against a trivial JSON view on the same server.

A real gunicorn (2 workers, gthread so connections are kept alive) on loopback serves
``/api/v1/check/<code>/`` (token authentication of a calling system, subject, matter, measures,
list designations, breach counts, grade rules, the query log row) and ``/api/v1/ping/`` (a
trivial plain-Django JSON view through the same WSGI application and middleware: the
reference). Both are loaded the same way — ``wrk`` when installed
(``apt-get install wrk``), otherwise a bounded Python client (threads with keep-alive
``http.client`` connections, a fixed number of requests) — and ``pgbench -S`` on a scratch
database of the same server gives the database's own figure for orientation.

Data: ``subjects`` companies (bulk-loaded), 5 % of them with a general breach and its
measures, 0.5 % with a serious one and a black-list designation; the checked codes are half
clean, half with a record. Every check is logged, as in production.

Targets (shared/performance.md): check ≥ 0.5× the trivial view, ≥ 1,000 requests/s,
p99 ≤ 50 ms.

    python bench/bench_check.py [--subjects 100000] [--rounds 3] [--duration 5]

Call ``run(...)`` after ``django.setup()`` on PostgreSQL (``bench/run.py`` does).
"""

from __future__ import annotations

import http.client
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.fixtures import progress  # noqa: E402
from bench.serving import free_port, start_server, stop_server  # noqa: E402

TARGET_RATIO = 0.5
TARGET_RPS = 1000.0
TARGET_P99_MS = 50.0
BATCH = 5000
BENCH_MATTER = "bench-food-permit"
CALLER = "bench-checker"


# Data ----------------------------------------------------------------------------------------


def _code(index: int) -> str:
    from directory.identifiers import USCC_ALPHABET, uscc_check_character

    digits = []
    for _position in range(8):
        index, digit = divmod(index, 31)
        digits.append(USCC_ALPHABET[digit])
    body = "91440300X" + "".join(reversed(digits))
    return body + uscc_check_character(body)


def load(*, subjects: int) -> dict:
    """Bulk-load the subjects, breaches, measures and designations (once per database)."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from credit.record.models.breaches import Breach, ListEntry, Measure
    from credit.record.models.rules import BreachCategory, CreditList, MeasureType, RuleSet
    from directory.models import Matter, Region, Subject

    region, _created = Region.objects.get_or_create(code="440300", defaults={"name": "深圳市"})
    Matter.objects.get_or_create(
        code=BENCH_MATTER, defaults={"name": "食品经营许可", "legal_basis": "食品安全法第三十五条"}
    )
    officer, _created = get_user_model().objects.get_or_create(username="bench-officer")
    existing = Subject.objects.filter(code__startswith="91440300X").count()
    started = time.perf_counter()
    for start in range(existing, subjects, BATCH):
        stop = min(start + BATCH, subjects)
        Subject.objects.bulk_create(
            [
                Subject(kind="company", code=_code(i), name=f"基准测试企业{i}", region=region)
                for i in range(start, stop)
            ]
        )
        progress("subjects", stop, subjects)
    loaded_subjects = time.perf_counter() - started

    codes = list(
        Subject.objects.filter(code__startswith="91440300X")
        .order_by("pk")
        .values_list("pk", "code")[:subjects]
    )
    with_record = codes[::20]  # 5 %
    serious = set(pk for pk, _code in codes[::200])  # 0.5 %
    done = set(Breach.objects.filter(reason="bench").values_list("subject_id", flat=True))
    missing = [(pk, code) for pk, code in with_record if pk not in done]
    if missing:
        started = time.perf_counter()
        rule_set = RuleSet.objects.get(code="ndrc-order-36")
        category = BreachCategory.objects.get(code="missed_obligation")
        kinds = {k.code: k for k in MeasureType.objects.all()}
        black = CreditList.objects.get(code="serious-dishonesty")
        today = date.today()
        for start in range(0, len(missing), BATCH):
            chunk = missing[start : start + BATCH]
            with transaction.atomic():
                breaches = Breach.objects.bulk_create(
                    [
                        Breach(
                            subject_id=pk,
                            category=category,
                            legal_basis=category.legal_basis,
                            severity="serious" if pk in serious else "general",
                            rule_set=rule_set,
                            record_date=today,
                            is_publishable=True,
                            publicity_starts=today,
                            publicity_min_until=today,
                            publicity_max_until=date(today.year + 1, 12, 31),
                            reason="bench",
                            recorded_by=officer,
                            status="published",
                        )
                        for pk, _code in chunk
                    ]
                )
                measures, entries = [], []
                for breach in breaches:
                    is_serious = breach.severity == "serious"
                    names = ["point_deduction", "closer_supervision"]
                    if is_serious:
                        names += ["no_commitment", "bid_restriction", "subsidy_restriction"]
                        entries.append(
                            ListEntry(
                                credit_list=black,
                                subject_id=breach.subject_id,
                                breach=breach,
                                reason="bench",
                                entered_on=today,
                                status="listed",
                            )
                        )
                    for name in names:
                        points = (6 if is_serious else 3) if name == "point_deduction" else 0
                        measures.append(
                            Measure(
                                subject_id=breach.subject_id,
                                breach=breach,
                                measure_type=kinds[name],
                                points=points,
                                starts_on=today,
                            )
                        )
                Measure.objects.bulk_create(measures)
                ListEntry.objects.bulk_create(entries)
            progress("breaches", start + len(chunk), len(missing))
        print(f"   breaches loaded in {time.perf_counter() - started:.1f} s")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "subjects": len(codes),
        "subjects_loaded_s": round(loaded_subjects, 1),
        "with_record": len(with_record),
        "serious": len(serious),
        "clean_codes": [c for pk, c in codes[1::20][:1000]],
        "record_codes": [c for pk, c in with_record[:1000]],
    }


def _caller_token() -> str:
    from access.services import token_issue
    from credit.check.models import CallingSystem
    from credit.check.services import calling_system_register

    system = CallingSystem.objects.filter(code=CALLER).select_related("user").first()
    if system is None:
        _system, key = calling_system_register(
            code=CALLER, name="Benchmark caller", username=CALLER, by=None
        )
        return key
    return token_issue(user=system.user, name="benchmark", by=None).secret


def _queries_per_check(token: str, code: str) -> int:
    """SQL statements one check runs through the whole stack (middleware included), counted
    in-process on the same database."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token}")
    path = f"/api/v1/check/{code}/"
    params = {"purpose": "approval", "reason": "bench", "matter": BENCH_MATTER}
    client.get(path, params)  # warm
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params)
    assert response.status_code == 200, response.content
    return len(captured.captured_queries)


# CPU ------------------------------------------------------------------------------------------


def _cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used (Linux ``/proc``); 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _server_pids(server: subprocess.Popen) -> list[int]:
    """The gunicorn workers and the PostgreSQL backends serving them (same host).

    Their CPU per request is the cost of a view that other engineers' work on a shared
    machine disturbs least: throughput is what is left to us, CPU is what a request takes.
    """
    from django.db import connection

    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    workers = [int(p) for p in children.read_text().split()] if children.exists() else []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        backends = [row[0] for row in cursor.fetchall()]
    return [server.pid, *workers, *backends]


# Load ----------------------------------------------------------------------------------------


def _wrk(port: int, paths: list[str], token: str | None, *, duration: int, connections: int):
    lines = ["local paths = {"] + [f'  "{p}",' for p in paths] + ["}", "local i = 0"]
    if token:
        lines.append(f'wrk.headers["Authorization"] = "Token {token}"')
    lines += [
        "request = function()",
        "  i = i + 1",
        "  return wrk.format('GET', paths[(i % #paths) + 1])",
        "end",
    ]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("\n".join(lines))
    try:
        output = subprocess.run(
            [
                "wrk",
                "-t",
                "2",
                "-c",
                str(connections),
                "-d",
                f"{duration}s",
                "--latency",
                "-s",
                script.name,
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)

    def ms(label: str) -> float:
        match = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    requests = int(re.search(r"(\d+) requests in", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "requests": requests,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": ms("50%"),
        "p99_ms": ms("99%"),
        "errors": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def _python_client(port: int, paths: list[str], token: str | None, *, requests: int, threads: int):
    """Threads with one keep-alive connection each, ``requests`` in all (bounded)."""
    headers = {"Authorization": f"Token {token}"} if token else {}
    per_thread = requests // threads
    latencies: list[list[float]] = [[] for _ in range(threads)]
    errors = [0] * threads

    def work(n: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        rng = random.Random(n)
        for _i in range(per_thread):
            path = paths[rng.randrange(len(paths))]
            started = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            latencies[n].append(time.perf_counter() - started)
            if response.status != 200:
                errors[n] += 1
        connection.close()

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    wall = time.perf_counter() - started
    flat = sorted(x for chunk in latencies for x in chunk)
    return {
        "requests": len(flat),
        "rps": len(flat) / wall,
        "p50_ms": flat[len(flat) // 2] * 1000,
        "p99_ms": flat[min(len(flat) - 1, int(len(flat) * 0.99))] * 1000,
        "errors": sum(errors),
        "socket_errors": "",
    }


def _pgbench(database_url: str, *, duration: int) -> dict:
    import psycopg

    if not shutil.which("pgbench"):
        return {"skipped": "pgbench is not installed"}
    parts = urlsplit(database_url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    # A scratch database named after the bench database: other runs on the server keep theirs.
    scratch = f"{parts.path.lstrip('/')}_pgbench"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{scratch}"')
    common = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432)]
    common += ["-U", parts.username or "postgres"]
    subprocess.run(
        ["pgbench", *common, "-i", "-s", "10", "-q", scratch],
        capture_output=True,
        check=True,
    )
    output = subprocess.run(
        ["pgbench", *common, "-S", "-c", "4", "-j", "2", "-T", str(duration), scratch],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    tps = float(re.search(r"tps = ([\d.]+) \(without initial connection time\)", output).group(1))
    latency = re.search(r"latency average = ([\d.]+) ms", output)
    return {"tps": tps, "latency_ms": float(latency.group(1)) if latency else None}


def _summary(samples: list[dict]) -> dict:
    def spread(key: str) -> dict:
        values = [s[key] for s in samples]
        return {
            "median": statistics.median(values),
            "min": min(values),
            "max": max(values),
        }

    summary = {
        "rps": spread("rps"),
        "cpu_ms_per_request": spread("cpu_ms_per_request"),
        "backend_cpu_ms_per_request": spread("backend_cpu_ms_per_request"),
        "p50_ms": spread("p50_ms"),
        "p99_ms": spread("p99_ms"),
        "requests": sum(s["requests"] for s in samples),
        "errors": sum(s["errors"] for s in samples),
    }
    if "checks_per_commit" in samples[0]:
        summary["checks_per_commit"] = spread("checks_per_commit")
    return summary


def run(
    *,
    subjects: int = 100_000,
    rounds: int = 3,
    duration: int = 5,
    requests: int = 5000,
    connections: int = 8,
    client: str = "auto",
    worker_class: str = "gthread",
    threads: int = 8,
    data: dict | None = None,
) -> dict:
    """Load the data, serve it with gunicorn, load both views ``rounds`` times, run pgbench.

    ``data`` (``clean_codes`` and ``record_codes``) checks subjects already loaded (the
    province of ``bench/province.py``) instead of loading ``subjects``."""
    from django.conf import settings

    data = data or load(subjects=subjects)
    token = _caller_token()
    queries = _queries_per_check(token, data["record_codes"][0])
    query = urlencode({"purpose": "approval", "matter": BENCH_MATTER, "reason": "P5 bench"})
    check_paths = [
        f"/api/v1/check/{code}/?{query}"
        for pair in zip(data["clean_codes"], data["record_codes"], strict=False)
        for code in pair
    ]
    ping_paths = ["/api/v1/ping/"]
    use_wrk = client == "wrk" or (client == "auto" and shutil.which("wrk"))
    port = free_port()
    load_before = os.getloadavg()
    server = start_server(port, worker_class=worker_class, threads=threads)
    samples: dict[str, list[dict]] = {"ping": [], "check": []}
    try:
        for round_number in range(rounds + 1):  # round 0 warms both views up, not counted
            for name, paths, auth in (
                ("ping", ping_paths, None),
                ("check", check_paths, token),
            ):
                pids = _server_pids(server)
                last_logged = _last_logged()
                cpu_before = [_cpu_seconds(pid) for pid in pids]
                if use_wrk:
                    sample = _wrk(
                        port,
                        paths,
                        auth,
                        duration=1 if round_number == 0 else duration,
                        connections=connections,
                    )
                else:
                    sample = _python_client(
                        port,
                        paths,
                        auth,
                        requests=requests // 5 if round_number == 0 else requests,
                        threads=connections,
                    )
                used = [_cpu_seconds(pid) - b for pid, b in zip(pids, cpu_before, strict=True)]
                per_request = 1000 / max(sample["requests"], 1)
                sample["cpu_ms_per_request"] = sum(used) * per_request
                # gunicorn (master and workers) first, then the PostgreSQL backends
                sample["backend_cpu_ms_per_request"] = sum(used[3:]) * per_request
                if name == "check":
                    sample["checks_per_commit"] = _checks_per_commit(after=last_logged)
                if round_number:
                    samples[name].append(sample)
    finally:
        stop_server(server)
    load_after = os.getloadavg()
    pgbench = _pgbench(settings.DATABASES["default"].get("URL") or _database_url(), duration=5)
    ping, check = _summary(samples["ping"]), _summary(samples["check"])
    ratio = check["rps"]["median"] / ping["rps"]["median"]
    result = {
        "client": "wrk (2 threads)" if use_wrk else f"python http.client ({connections} threads)",
        "load": f"{duration} s × {connections} connections"
        if use_wrk
        else f"{requests} requests × {connections} threads",
        "rounds": rounds,
        "server": f"gunicorn, 2 {worker_class} workers"
        + (f" × {threads} threads" if worker_class == "gthread" else ""),
        "subjects": data["subjects"],
        "subjects_with_record": data["with_record"],
        "queries_per_check": queries,
        "ping": ping,
        "check": check,
        "ratio_check_vs_ping": ratio,
        # Each round loads the trivial view and then the check: the ratio within a round is
        # the least disturbed by other work on a shared machine.
        "ratio_per_round": [
            c["rps"] / p["rps"] for p, c in zip(samples["ping"], samples["check"], strict=True)
        ],
        "load_average": {"before": load_before, "after": load_after},
        # Server CPU (gunicorn master and workers, their PostgreSQL backends) per request; its
        # ratio is the throughput ratio a machine with nothing else to run would approach.
        "cpu_ratio_ping_vs_check": ping["cpu_ms_per_request"]["median"]
        / check["cpu_ms_per_request"]["median"],
        "pgbench_select_only": pgbench,
        "targets": {
            "ratio ≥ 0.5": ratio >= TARGET_RATIO,
            "check ≥ 1,000 req/s": check["rps"]["median"] >= TARGET_RPS,
            "check p99 ≤ 50 ms": check["p99_ms"]["median"] <= TARGET_P99_MS,
            "no errors": ping["errors"] == 0 and check["errors"] == 0,
        },
        "check_queries_logged": _logged_checks(),
    }
    return result


def _database_url() -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    return (
        f"postgres://{db.get('USER') or 'postgres'}@{db.get('HOST') or '127.0.0.1'}:"
        f"{db.get('PORT') or 5432}/{db['NAME']}"
    )


def _last_logged() -> int:
    from credit.check.models import CheckQuery

    return CheckQuery.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _checks_per_commit(*, after: int) -> float:
    """Log rows per transaction since ``after``: each row's ``xmin`` is the transaction that
    committed it, so this is how many checks shared one durable commit (group commit)."""
    from django.db import connection

    from credit.check.models import CheckQuery

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), COUNT(DISTINCT xmin::text) FROM {CheckQuery._meta.db_table}"  # noqa: S608
            " WHERE id > %s",
            [after],
        )
        rows, commits = cursor.fetchone()
    return rows / max(commits, 1)


def _logged_checks() -> int:
    from credit.check.models import CheckQuery

    return CheckQuery.objects.count()


def print_table(result: dict) -> None:
    def cells(s: dict) -> str:
        rps, p50, p99 = s["rps"], s["p50_ms"], s["p99_ms"]
        return (
            f"{rps['median']:>8.0f} [{rps['min']:.0f}–{rps['max']:.0f}]".ljust(24)
            + f"{p50['median']:>7.2f}".ljust(10)
            + f"{p99['median']:>7.2f} [{p99['min']:.1f}–{p99['max']:.1f}]".ljust(22)
            + f"{s['requests']:>9}  {s['errors']:>6}"
        )

    print()
    print(
        f"P5 check every case — {result['subjects']:,} subjects "
        f"({result['subjects_with_record']:,} with a record); {result['server']}; "
        f"{result['client']}, "
        f"{result['load']}, {result['rounds']} rounds; median [min–max]"
    )
    header = (
        f"   {'view':<8}{'req/s':<24}{'p50 ms':<10}{'p99 ms':<22}{'requests':>9}  {'errors':>6}"
    )
    print(header)
    print("   " + "-" * (len(header) - 3))
    print(f"   {'ping':<8}" + cells(result["ping"]))
    print(f"   {'check':<8}" + cells(result["check"]))
    print(
        f"   ratio check / trivial view: {result['ratio_check_vs_ping']:.2f}× (target ≥ 0.5×); "
        f"SQL statements per check: {result['queries_per_check']}"
    )
    cpu = {name: result[name]["cpu_ms_per_request"] for name in ("ping", "check")}
    print(
        "   server CPU per request (gunicorn + its PostgreSQL backends): "
        + "; ".join(
            f"{name} {c['median']:.2f} ms [{c['min']:.2f}–{c['max']:.2f}]"
            for name, c in cpu.items()
        )
        + f"; ratio {result['cpu_ratio_ping_vs_check']:.2f}×"
    )
    backend = {name: result[name]["backend_cpu_ms_per_request"] for name in ("ping", "check")}
    shared = result["check"]["checks_per_commit"]
    print(
        "   of which PostgreSQL backends: "
        + "; ".join(f"{name} {c['median']:.2f} ms" for name, c in backend.items())
        + f"; checks per durable commit {shared['median']:.2f}"
        f" [{shared['min']:.2f}–{shared['max']:.2f}]"
    )
    rounds = ", ".join(f"{r:.2f}" for r in result["ratio_per_round"])
    load = result["load_average"]
    print(
        f"   ratio per round: {rounds}; load average (1/5/15 min) before "
        f"{'/'.join(f'{x:.1f}' for x in load['before'])}, after "
        f"{'/'.join(f'{x:.1f}' for x in load['after'])}"
    )
    pgbench = result["pgbench_select_only"]
    if "tps" in pgbench:
        print(
            f"   pgbench -S (4 clients, 5 s, scale 10): {pgbench['tps']:,.0f} tps, "
            f"{pgbench['latency_ms']} ms average"
        )
    else:
        print(f"   pgbench: {pgbench.get('skipped')}")
    print(
        "   targets: "
        + "; ".join(
            f"{name}: {'met' if ok else 'MISSED'}" for name, ok in result["targets"].items()
        )
    )


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subjects", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5, help="seconds per round (wrk)")
    parser.add_argument("--requests", type=int, default=5000, help="per round (Python client)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--worker-class", choices=["gthread", "sync"], default="gthread")
    parser.add_argument(
        "--threads", type=int, default=8, help="per gunicorn worker (gthread; production's)"
    )
    args = parser.parse_args()

    from bench.run import _ensure_database, _environment

    url = _environment()
    _ensure_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    result = run(
        subjects=args.subjects,
        rounds=args.rounds,
        duration=args.duration,
        requests=args.requests,
        connections=args.connections,
        client=args.client,
        worker_class=args.worker_class,
        threads=args.threads,
    )
    print_table(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
