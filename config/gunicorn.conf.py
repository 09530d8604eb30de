"""gunicorn settings for production and the benchmark: ``gunicorn -c config/gunicorn.conf.py
config.wsgi``. Command-line options (workers, threads, bind) override these.

Each worker loads Django and every URL module, then freezes that start-up heap out of the
garbage collector (``gc.freeze``): a full collection otherwise walks ~175,000 long-lived
objects (70–80 ms measured in one worker), a pause every few thousand requests that set the
99th-percentile latency of the check every case endpoint (P5, docs/benchmarks.md).
"""

import gc
import os

worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
# Eight threads per worker: a check waiting on PostgreSQL leaves the GIL to the others, and
# checks in flight at once share one statement and one durable commit of their log rows
# (credit.check.postgres.batch); with two threads a worker never had more than two to share.
threads = int(os.environ.get("GUNICORN_THREADS", "8"))


def post_worker_init(worker):
    """Import the URL configuration (and with it every view), then freeze the heap."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports the URL modules)
    gc.freeze()
