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

from django.conf import settings
from django.db import router
from django.db.models.signals import post_save, pre_save
from django.utils import timezone
from simple_history import manager as history_manager
from simple_history import models as history_models
from simple_history.signals import post_create_historical_record, pre_create_historical_record
from simple_history.utils import get_change_reason_from_object

from directory.bulk import bulk_insert
from directory.rows import save_new
from directory.updates import HISTORY_WRITTEN, UPDATE_HISTORY


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

    def bulk_history_create(
        self,
        objs,
        batch_size=None,
        update=False,
        default_user=None,
        default_change_reason="",
        default_date=None,
        custom_historical_attrs=None,
    ):
        """simple-history's ``bulk_history_create`` (3.x), the rows inserted by
        ``directory.bulk.bulk_insert`` (one statement compiled once) when no batch size is
        asked for."""
        if batch_size is not None or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
            return super().bulk_history_create(
                objs,
                batch_size=batch_size,
                update=update,
                default_user=default_user,
                default_change_reason=default_change_reason,
                default_date=default_date,
                custom_historical_attrs=custom_historical_attrs,
            )
        rows = self.history_rows(
            objs,
            update=update,
            default_user=default_user,
            default_change_reason=default_change_reason,
            default_date=default_date,
            custom_historical_attrs=custom_historical_attrs,
        )
        return bulk_insert(self.model, rows)

    def history_rows(
        self,
        objs,
        *,
        update=False,
        default_user=None,
        default_change_reason="",
        default_date=None,
        custom_historical_attrs=None,
    ) -> list:
        """The history rows ``bulk_history_create`` writes for ``objs``, unsaved (simple-history
        3.x's steps)."""
        history_type = "~" if update else "+"
        tracked = self.model.tracked_fields
        rows = []
        for instance in objs:
            history_user = getattr(
                instance,
                "_history_user",
                default_user or self.model.get_default_history_user(instance),
            )
            row = self.model(
                history_date=getattr(instance, "_history_date", default_date or timezone.now()),
                history_user=history_user,
                history_change_reason=get_change_reason_from_object(instance)
                or default_change_reason,
                history_type=history_type,
                **{field.attname: getattr(instance, field.attname) for field in tracked},
                **(custom_historical_attrs or {}),
            )
            if hasattr(self.model, "history_relation"):
                row.history_relation_id = instance.pk
            rows.append(row)
        return rows


class HistoricalRecords(history_models.HistoricalRecords):
    """``simple_history.models.HistoricalRecords`` with the manager of this module."""

    def __init__(self, *args, history_manager=HistoryManager, **kwargs) -> None:
        super().__init__(*args, history_manager=history_manager, **kwargs)

    def finalize(self, sender, **kwargs) -> None:
        super().finalize(sender, **kwargs)
        if self.cls is sender or (self.inherit and issubclass(sender, self.cls)):
            UPDATE_HISTORY[sender] = self.history_with_update

    def history_with_update(self, instance, using: str):
        """The history row ``post_save`` would write for this update of ``instance``, for
        ``directory.rows`` to write in the update's statement; None when it must be written
        on its own: history off or skipped, another database, or someone listening to the
        signals sent before the history row is saved (they could change it)."""
        if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True) or hasattr(
            instance, "skip_history_when_saving"
        ):
            return None
        history_instance, told = self._history_row(instance, "~", using)
        model = told["sender"]
        target = using if self.use_base_model_db else router.db_for_write(model)
        if target != using or any(
            signal.has_listeners(model) for signal in (pre_create_historical_record, pre_save)
        ):
            return None
        history_instance._told = told
        return history_instance

    def create_historical_record(self, instance, history_type, using=None) -> None:
        """simple-history's ``create_historical_record`` (3.x), the row saved by ``save_new``;
        a row written with the update (``history_with_update``) is not written again, and
        the same signals are sent for it."""
        written = instance.__dict__.pop(HISTORY_WRITTEN, None)
        if written is not None and history_type == "~":
            told = written.__dict__.pop("_told")
            pre_create_historical_record.send(**told)  # nobody listens (history_with_update)
            self._saved(written, using=told["using"])
            self.create_historical_record_m2ms(written, instance)
            post_create_historical_record.send(**told)
            return
        history_instance, told = self._history_row(instance, history_type, using)
        pre_create_historical_record.send(**told)
        save_new(history_instance, using=told["using"])
        self.create_historical_record_m2ms(history_instance, instance)
        post_create_historical_record.send(**told)

    @staticmethod
    def _saved(history_instance, *, using) -> None:
        """What ``save_new`` sends after the insert (``post_save`` of the new history row)."""
        post_save.send(
            sender=type(history_instance),
            instance=history_instance,
            created=True,
            update_fields=None,
            raw=False,
            using=history_instance._state.db,
        )

    def _history_row(self, instance, history_type, using):
        """The history row of ``instance`` and what simple-history's signals are told."""
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
        return history_instance, told
