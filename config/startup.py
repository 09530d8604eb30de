"""What a serving process does once it has started, before its first request.

``freeze_start_up_heap``: import the URL configuration (and with it every view), then freeze
that start-up heap out of the garbage collector (``gc.freeze``). A full collection otherwise
walks every long-lived object the imports made (~175,000; 70–80 ms measured in one worker),
a pause every few thousand requests that set the 99th-percentile latency of "check every
case" (P5) and about 3 ms of CPU per commitment signed in the lifecycle (P2). gunicorn's
workers call it (``config/gunicorn.conf.py``), and so do the lifecycle benchmark's processes,
which stand for them.
"""

from __future__ import annotations

import gc


def freeze_start_up_heap() -> None:
    """Import every URL module, then move everything allocated so far out of the collector's
    reach (objects made later are collected as usual)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports the URL modules)
    gc.freeze()
