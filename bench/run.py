"""Run every benchmark in bench/ on PostgreSQL and print the figures with their ratios.

    .venv/bin/python bench/run.py [--count 200] [--rounds 3] [--profile]   (or: make bench)

Uses the database named by BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/chengnuo_bench), dropped, created and migrated on each
run unless --keep-db; runtime files go to var/bench/. Targets and references:
shared/performance.md. Results are also written to bench/results/ as JSON.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/chengnuo_bench"

# Benchmarks that load their own volumes into their own databases run as separate processes,
# one after the other, so that none measures while another loads.
SEPARATE_BENCHMARKS = {
    "p3": ("regulator queue page, 1,000 vs 100,000 open tasks", "bench_queue.py"),
    "p4": ("deadline sweep, 1,000 due among 10,000 vs 1,000,000", "bench_sweep.py"),
    "p5": ("check every case over HTTP vs a trivial view", "bench_check.py"),
    "p6": ("transparency log at 1,000,000 entries", "bench_register.py"),
    "p7": ("worker memory after many signed commitments", "bench_memory.py"),
    "p9": ("soak: 50 clients doing the whole journey for 60 s", "bench_soak.py"),
    "p10": ("an association's bulk issue of 10,000 pledges from one CSV", "bench_bulk_issue.py"),
    "p11": ("special credit report for a subject with 1 vs 500 records", "bench_reports.py"),
    "p12": ("webhook fan-out to 200 subscribers on loopback", "bench_webhooks.py"),
}


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=200, help="commitments per round (P2)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per configuration")
    parser.add_argument("--processes", type=int, default=2, help="processes for the parallel run")
    parser.add_argument("--keep-db", action="store_true", help="reuse the database as it is")
    parser.add_argument(
        "--only", choices=["p1", "p2", *SEPARATE_BENCHMARKS], help="run one benchmark only"
    )
    parser.add_argument(
        "--profile", action="store_true", help="also print a cProfile of 50 lifecycles (P2)"
    )
    parser.add_argument(
        "--p10-args",
        default="",
        help="arguments for P10, e.g. '100000 --rounds 1 --worker' (a province-size file "
        "through a real worker)",
    )
    return parser.parse_args()


def _environment() -> str:
    """Settings for a production-like run: PostgreSQL, Redis, DEBUG off, data under var/."""
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    data_dir = ROOT / "var" / "bench"
    os.environ["DATABASE_URL"] = url
    os.environ["CHENGNUO_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DJANGO_DEBUG"] = "false"  # DEBUG keeps every query in memory
    os.environ["DATABASE_CONN_MAX_AGE"] = "0"
    os.environ["CELERY_BROKER_URL"] = os.environ.get(
        "BENCH_CELERY_BROKER_URL", "redis://127.0.0.1:6379/14"
    )
    os.environ["LOG_LEVEL"] = "ERROR"  # pyHanko warns on every seal; the figures are the output
    data_dir.mkdir(parents=True, exist_ok=True)
    return url


def _recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    shutil.rmtree(ROOT / "var" / "bench" / "documents", ignore_errors=True)


def _ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def _machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}"


def _postgres_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


# Printing ------------------------------------------------------------------------------------


def _spread(s: dict, fmt: str = "{:.1f}") -> str:
    return f"{fmt.format(s['median'])} [{fmt.format(s['min'])}–{fmt.format(s['max'])}]"


def _print_p2(result: dict) -> None:
    configurations = result["configurations"]
    ref, target = result["reference_tasks_per_core"], result["target_tasks_per_core"]
    print()
    print(
        f"P2 lifecycle throughput — {result['count']} commitments per round, "
        f"{result['rounds']} rounds; median [min–max]"
    )
    print(
        f"   reference: Camunda 8 sizing, 100 tasks/s on 11 vCPU = {ref:.1f} tasks/s per core; "
        f"target ≥ {target:.0f} tasks/s per core"
    )
    header = (
        f"{'processes':>9}  {'tasks/s':>22}  {'per core':>8}  {'commitments/s':>20}  "
        f"{'vs Camunda':>10}  {'vs target':>9}"
    )
    print(header)
    print("-" * len(header))
    for n, c in configurations.items():
        print(
            f"{n:>9}  {_spread(c['tasks_per_s']):>22}  {c['tasks_per_s_per_core']:>8.1f}  "
            f"{_spread(c['commitments_per_s']):>20}  {c['ratio_vs_camunda']:>9.2f}×  "
            f"{c['ratio_vs_target']:>8.2f}×"
        )
    first = next(iter(configurations.values()))
    print(
        "   workflow tasks (viewflow Task rows) per commitment: "
        f"{first['tasks_per_commitment']:.1f}; SQL statements per commitment: "
        f"{first['queries_per_commitment']:.0f}"
    )
    print()
    print("   per-stage median ms per commitment (share of the lifecycle)")
    names = list(configurations)
    print(f"   {'stage':<14}" + "".join(f"{f'{n} process(es)':>24}" for n in names))
    totals = {n: sum(configurations[n]["stage_ms"].values()) for n in names}
    for stage in next(iter(configurations.values()))["stage_ms"]:
        cells = []
        for n in names:
            ms = configurations[n]["stage_ms"][stage]
            cells.append(f"{ms:>13.1f} ({ms / totals[n] * 100:>5.1f} %)")
        print(f"   {stage:<14}" + "".join(f"{cell:>24}" for cell in cells))
    print(f"   {'total':<14}" + "".join(f"{totals[n]:>13.1f} (100.0 %)".rjust(24) for n in names))


def _print_generic(title: str, result: dict, indent: str = "   ") -> None:
    print()
    print(title)
    _print_tree(result, indent)


def _print_tree(value, indent: str) -> None:
    for key, item in value.items():
        if isinstance(item, dict):
            print(f"{indent}{key}:")
            _print_tree(item, indent + "   ")
        elif isinstance(item, float):
            print(f"{indent}{key}: {item:.3f}")
        else:
            print(f"{indent}{key}: {item}")


# Main ----------------------------------------------------------------------------------------


def main() -> int:
    args = _arguments()
    url = _environment()
    if args.keep_db:
        _ensure_database(url)
    else:
        _recreate_database(url)

    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("signing_init", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    print(f"Chengnuo benchmarks — {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    print(f"   machine: {_machine()}; PostgreSQL {_postgres_version()}")
    print(
        f"   database: {urlsplit(url).path.lstrip('/')} migrated in "
        f"{time.perf_counter() - started:.1f} s"
    )

    results: dict = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": _machine(),
    }
    failures = []

    if args.only in (None, "p1"):
        if (ROOT / "bench" / "bench_signing.py").exists():
            print("\nP1 signing path …")
            try:
                from bench import bench_signing

                results["p1"] = bench_signing.run(args.rounds)
                _print_generic("P1 full signing path", results["p1"])
            except Exception as error:  # report and go on to the next benchmark
                failures.append(f"P1: {error!r}")
                print(f"P1 failed: {error!r}")
        else:
            print("\nP1: bench/bench_signing.py is not there yet; skipped.")

    if args.only in (None, "p2"):
        from bench import bench_lifecycle

        print(f"\nP2 lifecycle: {args.count} commitments × {args.rounds} rounds …")
        processes = tuple(sorted({1, args.processes}))
        results["p2"] = bench_lifecycle.run(
            count=args.count, rounds=args.rounds, processes=processes
        )
        _print_p2(results["p2"])
        if args.profile:
            print("\nP2 cProfile of 50 lifecycles in one process")
            print(bench_lifecycle.profile(count=50))

    for key, (title, script) in SEPARATE_BENCHMARKS.items():
        if args.only not in (None, key):
            continue
        print(f"\n{key.upper()} {title} ({script}) …", flush=True)
        extra = args.p10_args.split() if key == "p10" else []
        code = subprocess.call([sys.executable, str(ROOT / "bench" / script), *extra], cwd=ROOT)
        results[key] = {"script": script, "exit_code": code}
        if code:
            failures.append(f"{key.upper()}: {script} exited {code}")

    _purge_broker()
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{datetime.datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(results, indent=2, default=str, ensure_ascii=False))
    print(f"\nResults: {path.relative_to(ROOT)}")
    if failures:
        print("Failed: " + "; ".join(failures))
        return 1
    return 0


def _purge_broker() -> None:
    """Drop the e-mail tasks the benchmark enqueued; nobody consumes the bench broker."""
    try:
        from config.celery import app

        app.control.purge()
    except Exception as error:  # the broker is not part of the figures
        print(f"(could not purge the benchmark broker: {error!r})")


if __name__ == "__main__":
    sys.exit(main())
