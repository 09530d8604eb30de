"""Obligations in the back office: a template's warning policy and ladder (inlines of the
template admin) and a commitment's obligations (read-only, an inline of the commitment admin).

The ladder is operational data an administrator may change on a used template; it applies
to warnings not yet planned. Obligations change only through the services.
"""

from __future__ import annotations

from django.contrib import admin

from commitments.obligations.models import Obligation, WarningPolicy, WarningStep


class WarningPolicyInline(admin.StackedInline):
    """Grace period and breach consequence of missed deadlines. Operational settings, not
    wording: they may change on a used template and apply to warnings not yet planned."""

    model = WarningPolicy
    extra = 0
    max_num = 1


class WarningStepInline(admin.TabularInline):
    """The warning ladder: e.g. 7 and 1 working days before, at the due time, after grace."""

    model = WarningStep
    extra = 0


class ObligationInline(admin.TabularInline):
    model = Obligation
    extra = 0
    fields = ["title", "due_date", "status"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False
