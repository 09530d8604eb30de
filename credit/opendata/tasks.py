"""Idempotent background adapter of the open data feed (scheduled by Celery beat)."""

from __future__ import annotations

from celery import shared_task

from credit.opendata.services.days import open_data_days_build


@shared_task
def open_data_days_build_task() -> int:
    """Write the daily CSV files of the finished days not built yet (never rewrites one)."""
    return open_data_days_build()
