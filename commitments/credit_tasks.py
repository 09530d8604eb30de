"""Idempotent background adapters for pledges (registered through ``CELERY_IMPORTS``;
scheduled by Celery beat). Repair and objection time limits are timers of their flows
(``workflows.repair_flows``), fired by the workflow-timer beat entry."""

from __future__ import annotations

from celery import shared_task

from commitments.services.bid_pledges import bid_pledge_defaults_sweep


@shared_task
def bid_pledge_defaults_sweep_task() -> int:
    """List bidders whose non-refund payment is past its deadline."""
    return bid_pledge_defaults_sweep()
