"""A subject renamed in the directory is renamed on its repair and objection cases too: the
officers' case list shows and sorts by the name kept on the case (ADR 0034)."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from directory.models import Subject
from workflows.repair.models import Objection, RepairApplication


@receiver(post_save, sender=Subject, dispatch_uid="workflows.repair.subject_renamed")
def subject_renamed(sender, instance: Subject, created: bool, **kwargs) -> None:
    if created:
        return
    name = instance.name[:200]
    for model in (RepairApplication, Objection):
        model.objects.filter(subject_id=instance.pk).exclude(subject_name=name).update(
            subject_name=name
        )
