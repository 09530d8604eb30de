"""Idempotent background adapters for bidding pledges (registered through ``CELERY_IMPORTS``;
scheduled by Celery beat)."""

from __future__ import annotations

from celery import shared_task

from commitments.pledges.services import bid_pledge_defaults_sweep


@shared_task
def bid_pledge_defaults_sweep_task() -> int:
    """List bidders whose non-refund payment is past its deadline."""
    return bid_pledge_defaults_sweep()
