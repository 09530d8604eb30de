"""simple-history's ``HistoricalRecords`` whose history manager class is made once.

``Model.history`` (simple-history's descriptor) builds its manager class afresh on every
access: ``HistoryManager.from_queryset(HistoricalQuerySet)`` makes a new class and walks the
queryset's members with ``inspect.getmembers``. Every history row written looks the manager up
(``post_save``, ``bulk_create_with_history``), so each state change paid for a new class that
is the same each time. Here the class is made once per queryset class and reused; the manager
instances and everything simple-history records are unchanged.

Models declare ``history = HistoricalRecords(...)`` from this module, with simple-history's
own arguments.
"""

from __future__ import annotations

from simple_history import manager as history_manager
from simple_history import models as history_models


class HistoryManager(history_manager.HistoryManager):
    """simple-history's manager, its class per queryset class made once (see the module)."""

    made: dict = {}  # noqa: RUF012 (the classes made, shared by every subclass)

    @classmethod
    def from_queryset(cls, queryset_class, class_name=None):
        key = (cls, queryset_class, class_name)
        made = HistoryManager.made.get(key)
        if made is None:
            made = HistoryManager.made[key] = super().from_queryset(queryset_class, class_name)
        return made


class HistoricalRecords(history_models.HistoricalRecords):
    """``simple_history.models.HistoricalRecords`` with the manager of this module."""

    def __init__(self, *args, history_manager=HistoryManager, **kwargs) -> None:
        super().__init__(*args, history_manager=history_manager, **kwargs)
