"""gunicorn settings for production and the benchmark: ``gunicorn -c config/gunicorn.conf.py
config.wsgi``. Command-line options (workers, threads, bind) override these.

Each worker loads Django and every URL module, then freezes that start-up heap out of the
garbage collector (``config.startup.freeze_start_up_heap``; why, there).
"""

import os

worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
# Eight threads per worker: a check waiting on PostgreSQL leaves the GIL to the others, and
# checks in flight at once share one statement and one durable commit of their log rows
# (credit.check.postgres.batch); with two threads a worker never had more than two to share.
threads = int(os.environ.get("GUNICORN_THREADS", "8"))


def post_worker_init(worker):
    """Import the URL configuration (and with it every view), then freeze the heap."""
    from config.startup import freeze_start_up_heap

    freeze_start_up_heap()
