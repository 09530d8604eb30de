"""The filters an officer last used on a list, kept for their next visit."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SavedListFilter(models.Model):
    """One user's last filters (and sort) on one list, as the query string they sent.

    Kept in the database, not the session: sessions end when the browser closes or after
    eight hours, and an officer expects the queue as they left it the next morning and on
    another computer."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_list_filters"
    )
    list_name = models.CharField(_("list"), max_length=40)
    query = models.CharField(_("filters"), max_length=1000, blank=True)
    updated_at = models.DateTimeField(_("saved"), auto_now=True)

    class Meta:
        verbose_name = _("saved list filter")
        verbose_name_plural = _("saved list filters")
        constraints = [
            models.UniqueConstraint(fields=["user", "list_name"], name="one_saved_filter_per_list")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.list_name}"
