"""Work a browser test does through the ORM while Playwright holds the test's thread."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from django.db import connection


def in_a_thread(work):
    """Run ``work`` off the Playwright thread (signing runs its own asyncio event loop)."""

    def run():
        try:
            return work()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()
