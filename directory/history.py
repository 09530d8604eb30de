"""simple-history's ``HistoricalRecords`` whose history manager class is made once.

``Model.history`` (simple-history's descriptor) builds its manager class afresh on every
access: ``HistoryManager.from_queryset(HistoricalQuerySet)`` makes a new class and walks the
queryset's members with ``inspect.getmembers``. Every history row written looks the manager up
(``post_save``, ``bulk_create_with_history``), so each state change paid for a new class that
is the same each time. Here the class is made once per queryset class and reused; the manager
instances and everything simple-history records are unchanged.

Each history row is inserted with its statement compiled once per process
(``directory.rows.save_new``): ``history_instance.save()`` built and compiled the same
``INSERT`` on every state change. The row, its values and the signals sent around it are
simple-history's own.

Models declare ``history = HistoricalRecords(...)`` from this module, with simple-history's
own arguments.
"""

from __future__ import annotations

from django.utils import timezone
from simple_history import manager as history_manager
from simple_history import models as history_models
from simple_history.signals import post_create_historical_record, pre_create_historical_record

from directory.rows import save_new


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

    def create_historical_record(self, instance, history_type, using=None) -> None:
        """simple-history's ``create_historical_record`` (3.x), the row saved by ``save_new``."""
        using = using if self.use_base_model_db else None
        history_date = getattr(instance, "_history_date", timezone.now())
        history_user = self.get_history_user(instance)
        history_change_reason = self.get_change_reason_for_object(instance, history_type, using)
        manager = getattr(instance, self.manager_name)
        attrs = {
            field.attname: getattr(instance, field.attname)
            for field in self.fields_included(instance)
        }
        if getattr(manager.model, "history_relation", None) is not None:
            attrs["history_relation"] = instance
        history_instance = manager.model(
            history_date=history_date,
            history_type=history_type,
            history_user=history_user,
            history_change_reason=history_change_reason,
            **attrs,
        )
        # What both of simple-history's signals are told.
        told = {
            "sender": manager.model,
            "instance": instance,
            "history_instance": history_instance,
            "history_date": history_date,
            "history_user": history_user,
            "history_change_reason": history_change_reason,
            "using": using,
        }
        pre_create_historical_record.send(**told)
        save_new(history_instance, using=using)
        self.create_historical_record_m2ms(history_instance, instance)
        post_create_historical_record.send(**told)
