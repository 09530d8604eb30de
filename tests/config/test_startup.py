"""A serving process's start: every URL module imported, then that heap frozen out of the
garbage collector (``config.startup``), in a process of its own, as a gunicorn worker."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings

PROBE = """
import gc, sys
import django
django.setup()
from config.startup import freeze_start_up_heap
before = gc.get_freeze_count()
freeze_start_up_heap()
print(before, gc.get_freeze_count(), "workflows.verification.urls" in sys.modules)
"""


def test_a_started_process_has_imported_its_views_and_frozen_that_heap():
    # when
    result = subprocess.run(  # noqa: S603 (this interpreter, a fixed script)
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        check=True,
    )

    # then: nothing was frozen before; the start-up heap (tens of thousands of objects) is now
    before, frozen, imported = result.stdout.split()
    assert (int(before), imported) == (0, "True")
    assert int(frozen) > 50_000
