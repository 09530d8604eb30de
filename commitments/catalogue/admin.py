"""The back office of the catalogue: templates, their versions and obligation rules.

Every change is kept by django-simple-history (``SimpleHistoryAdmin`` shows it). A template's
status is a protected FSM field: it changes through the actions below, never by editing. A
version in use is frozen (its wording and obligation rules); its warning ladder stays
editable because it is an operational setting, not wording.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_fsm import can_proceed
from simple_history.admin import SimpleHistoryAdmin

from commitments.catalogue.models import (
    CommitmentKind,
    CommitmentTemplate,
    ExemptionRule,
    ObligationRule,
    field_label,
    field_rule,
)
from commitments.catalogue.services import template_activate
from commitments.obligations.models import WARNING_CHANNELS, WarningPolicy, WarningStep
from directory.admin.parts import (
    CatalogueAdmin,
    CatalogueTabularInline,
    ShownFieldsMixin,
    labelled_table,
)
from directory.errors import DomainError
from notifications.models import Channel

LANGUAGES = ("zh_hans", "en")  # the columns of a text in both languages (ADR 0015)


class ObligationRuleInline(CatalogueTabularInline):
    """Obligations of a template version; frozen with the wording once a commitment uses it."""

    model = ObligationRule
    extra = 0
    fields = ["position", "title", "description", "deadline", "deadline_unit"]

    def _is_frozen(self, obj) -> bool:
        return obj is not None and obj.pk is not None and obj.is_used

    def get_readonly_fields(self, request, obj=None):
        if not self._is_frozen(obj):
            return []
        texts = [
            f"{name}_{language}" for name in ("title", "description") for language in LANGUAGES
        ]
        return [*self.fields, *texts, *self.language_parts(texts)]

    def has_add_permission(self, request, obj=None):
        return not self._is_frozen(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._is_frozen(obj) and super().has_delete_permission(request, obj)


class WarningPolicyInline(admin.StackedInline):
    """Grace period and breach consequence of missed deadlines. Operational settings, not
    wording: they may change on a used template and apply to warnings not yet planned."""

    model = WarningPolicy
    extra = 0
    max_num = 1


class WarningStepForm(forms.ModelForm):
    """A rung of the ladder, its channels chosen by their names in the reader's language (the
    stored list of codes, ``["email", "inapp"]``, is no text to edit)."""

    channels = forms.MultipleChoiceField(
        label=_("channels"),
        choices=[(code, Channel(code).label) for code in WARNING_CHANNELS],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = WarningStep
        fields = ["relative", "offset", "unit", "audience", "channels"]


class WarningStepInline(admin.TabularInline):
    """The warning ladder: e.g. 7 and 1 working days before, at the due time, after grace."""

    model = WarningStep
    form = WarningStepForm
    extra = 0


def _transition_templates(request, queryset, *, method: str, reason: str) -> int:
    """Apply an FSM transition to each selected template that allows it, with history."""
    changed = 0
    with transaction.atomic():
        for template in queryset.select_for_update():
            transition = getattr(template, method)
            if not can_proceed(transition):
                continue
            transition()
            template._history_user = request.user
            template._change_reason = reason
            template.save()
            changed += 1
    return changed


class UsedWordingReadOnlyMixin:
    """A used template's wording is read-only (the services refuse to change it), each
    language's column shown in an element that says its language (``language_parts``)."""

    def get_readonly_fields(self, request, obj=None):
        readonly = ["status"]
        if obj is not None and obj.pk is not None and obj.is_used:
            # A column by its field's name ("matter", not its column "matter_id"), as the
            # page labels it.
            names = {f.attname: f.name for f in CommitmentTemplate._meta.concrete_fields}
            columns = [names.get(c, c) for c in CommitmentTemplate.wording_columns()]
            readonly += dict.fromkeys([*CommitmentTemplate.WORDING_FIELDS, *columns])
        declared = super().get_readonly_fields(request, obj)
        return [*declared, *readonly, *self.language_parts(readonly)]


def _rule_with_code(spec: dict) -> str:
    """``field_rule`` with the field's name marked as a code (``lang="zxx"``): "premises" is
    the key of the filled-in values, not an English word on a Chinese page."""
    before, _mark, after = field_rule({**spec, "name": "\x00"}).partition("\x00")
    return format_html('{}<span lang="zxx" translate="no">{}</span>{}', before, spec["name"], after)


@admin.register(CommitmentTemplate)
class CommitmentTemplateAdmin(
    ShownFieldsMixin, UsedWordingReadOnlyMixin, CatalogueAdmin, SimpleHistoryAdmin
):
    """Templates, edited in both languages; a used template's wording is read-only, its
    fields to fill in listed by their labels in the reader's language."""

    shown_fields = {"fields": "fields_to_fill_in"}
    list_display = ["title", "code", "version", "kind", "matter", "status"]
    list_select_related = ["matter"]
    list_filter = ["status", "kind", "matter"]
    search_fields = ["code", "title"]
    autocomplete_fields = ["matter"]
    inlines = [ObligationRuleInline, WarningPolicyInline, WarningStepInline]
    actions = ["activate", "retire"]

    @admin.display(description=_("fields to fill in"))
    def fields_to_fill_in(self, template: CommitmentTemplate) -> str:
        """Each field by its label, with its name, whether it is required and its length."""
        return labelled_table(
            (field_label(spec), _rule_with_code(spec)) for spec in template.fields or []
        )

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_used:
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description=_("Open the selected templates for applicants"))
    def activate(self, request, queryset):
        count = 0
        for template in queryset.filter(status=CommitmentTemplate.Status.DRAFT):
            try:
                template_activate(
                    template=template, by=request.user, reason="activated in the admin"
                )
            except DomainError as error:
                details = "; ".join(
                    f"{name}: {' '.join(str(m) for m in messages_)}"
                    for name, messages_ in (error.fields or {}).items()
                )
                self.message_user(
                    request, f"{template}: {error.message} {details}".strip(), messages.ERROR
                )
            else:
                count += 1
        self.message_user(
            request,
            ngettext("%d template opened.", "%d templates opened.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Close the selected templates for new commitments"))
    def retire(self, request, queryset):
        count = _transition_templates(
            request, queryset, method="retire", reason="retired in the admin"
        )
        self.message_user(
            request,
            ngettext("%d template closed.", "%d templates closed.", count) % count,
            messages.SUCCESS,
        )


@admin.register(CommitmentKind)
class CommitmentKindAdmin(CatalogueAdmin, SimpleHistoryAdmin):
    """The kinds of commitment and their lifecycle rules; the codes are fixed (templates and
    other parts of the system key on them), names and rules are edited here."""

    list_display = [
        "name",
        "code",
        "is_verified",
        "creates_obligations",
        "items_supplied_later",
        "is_published",
        "has_own_process",
    ]
    readonly_fields = ["code"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ExemptionRule)
class ExemptionRuleAdmin(CatalogueAdmin, SimpleHistoryAdmin):
    """Where a matter exempts grade A subjects from verification, and whether exempt
    commitments still enter the on-site spot-check draws (ADR 0032). A change applies to
    commitments signed after it; those already exempt keep the rule they were exempted under."""

    list_display = ["matter", "kind", "spot_checks_drawn", "effective_from", "effective_until"]
    list_filter = ["kind", "spot_checks_drawn"]
    autocomplete_fields = ["matter"]
