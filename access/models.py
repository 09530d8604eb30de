"""API tokens of other systems (and of people who script the API).

Only a SHA-256 digest of the secret is stored: the secret is shown once, when the token is
issued. A token is valid until it expires or is revoked; rotating it issues a successor and
shortens the old one's life to an overlap, so a calling system can switch without downtime.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from directory.history import HistoricalRecords
from directory.reasons import RecordedTexts

# The names the platform gives the tokens it issues itself, as it stores them (in English, once);
# read in the reader's language (``ApiToken.shown_name``). A name a person typed stays as typed.
CALLING_SYSTEM_TOKEN_NAME = gettext_noop("calling system %(code)s")
COMMAND_LINE_TOKEN_NAME = gettext_noop("%(username)s (command line)")
PLATFORM_TOKEN_NAMES = RecordedTexts((CALLING_SYSTEM_TOKEN_NAME, COMMAND_LINE_TOKEN_NAME))


class ApiTokenQuerySet(models.QuerySet):
    def valid(self, *, at: datetime) -> ApiTokenQuerySet:
        """Tokens that authenticate at ``at``: neither revoked nor expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=at)


class ApiToken(models.Model):
    """One secret that authenticates one account over the API."""

    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for."))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("owner"),
    )
    prefix = models.CharField(
        _("prefix"), max_length=8, help_text=_("The secret's first characters, to recognise it.")
    )
    key_hash = models.CharField(_("secret digest"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    replaced_by = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaces",
        verbose_name=_("replaced by"),
    )
    history = HistoricalRecords()

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="api_token_expires_after_creation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.shown_name} ({self.prefix}…)"

    @property
    def shown_name(self) -> str:
        """The name in the reader's language when the platform gave it, else as typed."""
        return PLATFORM_TOKEN_NAMES.text(self.name)

    def is_valid(self, *, at: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > at
