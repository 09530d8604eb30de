"""The administrators' back office for who and where: regions, departments, matters,
competences, regulators' seats, subjects and the working-day calendar.

Every change is kept by django-simple-history (``SimpleHistoryAdmin`` shows it). A new subject
is registered through the same service as an applicant's.
"""

from __future__ import annotations

from functools import cache

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.templatetags.admin_urls import admin_urlname
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import FieldDoesNotExist
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from simple_history.admin import SimpleHistoryAdmin

from directory import services as directory_services
from directory.errors import DomainError
from directory.identifiers import IdentifierKind, IdentifierProblem, check_identifier
from directory.models import (
    CalendarYear,
    Competence,
    Department,
    ExternalIdentity,
    Matter,
    Region,
    RegulatorMembership,
    RoutingRule,
    Subject,
    WorkingDayOverride,
)
from directory.representation.models import Representation


class LanguageOfPartsMixin:
    """Each language's column of a translated field says its language (``lang="en"``): a
    screen reader reads the English column in English on a Chinese page (WCAG 3.1.2), and the
    page's own text stays in one language. A column shown read-only (a used template's
    wording) says it too (``language_part``)."""

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, *self.language_parts(readonly)]

    def language_parts(self, names) -> list:
        """The displays of the language columns among ``names`` (``language_part``)."""
        parts = [language_part(self.model, name) for name in names]
        return [part for part in parts if part is not None]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        readonly = set(self.get_readonly_fields(request, obj))
        shown = [
            (language_part(self.model, name) or name) if name in readonly else name
            for name in fields
        ]
        return list(dict.fromkeys(shown))

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        language = getattr(db_field, "language", None)  # only modeltranslation's columns
        if field is not None and language:
            widget = field.widget
            while hasattr(widget, "widget"):  # the clearable and related-object wrappers
                widget = widget.widget
            widget.attrs["lang"] = language
        return field


class ShownFieldsMixin:
    """Fields shown otherwise than stored, on read-only pages and history versions.

    ``shown_fields`` maps a field's name to the display method that stands in its place (a
    JSON field as a table of labelled values, a text as the reader reads it). The stored
    field stays read-only (out of the form); only its place on the page changes.
    """

    shown_fields: dict[str, str] = {}

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return [
            *readonly,
            *(self.shown_fields[name] for name in readonly if name in self.shown_fields),
        ]

    def get_fields(self, request, obj=None):
        """Each stored field in place of its display where it is read-only (an editable one
        stays a form field)."""
        fields = super().get_fields(request, obj)
        readonly = set(self.get_readonly_fields(request, obj))
        read_only_page = obj is not None and not self.has_change_permission(request, obj)
        shown = set(self.shown_fields.values())
        return list(
            dict.fromkeys(
                self.shown_fields[name]
                if name in self.shown_fields and (name in readonly or read_only_page)
                else name
                for name in fields
                if name not in shown
            )
        )


class NamedObjectsMixin:
    """Objects named by ``object_text`` (in the reader's language) wherever the admin would
    use ``str()``: a third-party model's ``__str__`` that the project does not change (a
    viewflow task, a django-axes log row) names it in English with its codes.

    The change, history and delete pages take the name (``admin/named/*.html`` and their
    titles), as do the list's checkboxes and the list of what a deletion removes.
    """

    change_form_template = "admin/named/change_form.html"
    object_history_template = "admin/named/object_history.html"
    delete_confirmation_template = "admin/named/delete_confirmation.html"

    def object_text(self, obj) -> str:
        """The object's name in the active language (each admin that uses the mixin says)."""
        raise NotImplementedError(f"{type(self).__name__} names its objects in object_text")

    @admin.display(description=mark_safe('<input type="checkbox" id="action-toggle">'))
    def action_checkbox(self, obj):
        attrs = {
            "class": "action-select",
            "aria-label": format_html(
                gettext("Select this object for an action - {}"), self.object_text(obj)
            ),
        }
        checkbox = forms.CheckboxInput(attrs, lambda value: False)
        return checkbox.render(helpers.ACTION_CHECKBOX_NAME, str(obj.pk))

    def named(self, request, object_id) -> dict[str, str]:
        obj = self.get_object(request, unquote(object_id))
        if obj is None:  # Django answers the page itself (not found)
            return {}
        return {"object_text": self.object_text(obj), "subtitle": self.object_text(obj)}

    def change_view(self, request, object_id, form_url="", extra_context=None):
        named = self.named(request, object_id)
        return super().change_view(request, object_id, form_url, {**named, **(extra_context or {})})

    def history_view(self, request, object_id, extra_context=None):
        named = self.named(request, object_id)
        if named:
            named["title"] = gettext("Change history: %s") % named["object_text"]
        return super().history_view(request, object_id, {**named, **(extra_context or {})})

    def delete_view(self, request, object_id, extra_context=None):
        named = self.named(request, object_id)
        return super().delete_view(request, object_id, {**named, **(extra_context or {})})

    def get_deleted_objects(self, objs, request):
        """What a deletion removes, each object by its name (``related_lines`` for the rows
        deleted with it)."""
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        objects = iter(objs)
        lines: list = []
        obj = None
        for item in deleted:
            if isinstance(item, list):
                lines.append(self.related_lines(obj, item))
                continue
            obj = next(objects)
            lines.append(
                format_html(
                    '{}: <a href="{}">{}</a>',
                    capfirst(self.opts.verbose_name),
                    reverse(admin_urlname(self.opts, "change"), args=[quote(obj.pk)]),
                    self.object_text(obj),
                )
            )
        return lines, model_count, perms_needed, protected

    def related_lines(self, obj, lines: list) -> list:
        """The rows deleted with ``obj``, as Django lists them (an admin may name them)."""
        return lines


def labelled_table(rows) -> str:
    """(label, value) rows as a small table; a mapping as a value is a table of its own."""
    cells = format_html_join(
        "",
        '<tr><th scope="row">{}</th><td>{}</td></tr>',
        (
            (capfirst(label), labelled_table(value.items()) if isinstance(value, dict) else value)
            for label, value in rows
        ),
    )
    return format_html('<table class="labelled-values"><tbody>{}</tbody></table>', cells)


def labelled_values(data: dict, labels: dict, values: dict | None = None) -> list[tuple]:
    """``data``'s keys by their labels (``labels``; an unknown key as stored, a code), and its
    coded values by theirs (``values``: a key's code to its label); a list as its items."""
    values = values or {}
    rows = []
    for key, value in (data or {}).items():
        shown = values.get(key, {}).get(value, value) if isinstance(value, str) else value
        if isinstance(value, bool):
            shown = _("Yes") if value else _("No")
        elif isinstance(value, list):
            shown = ", ".join(str(item) for item in value)
        rows.append((labels.get(key, key), shown))
    return rows


@cache
def language_part(model, name):
    """A read-only display of one language's column of a translated field, in an element that
    says its language; None for any other field."""
    if not isinstance(name, str) or not is_language_column(model, name):
        return None
    field = model._meta.get_field(name)

    def shown(obj) -> str:
        value = getattr(obj, field.attname)
        return format_html('<div lang="{}">{}</div>', field.language, linebreaksbr(value or ""))

    shown.__name__ = name
    shown.short_description = field.verbose_name
    return shown


@admin.display(description=_("code"), ordering="code")
def code_column(obj) -> str:
    """A catalogue row's code in a list, marked as having no language (``lang="zxx"``): a
    code other systems receive ("trustworthy") is an identifier, not a word of the page's
    language, and a screen reader should not read it as one."""
    return format_html('<span lang="zxx" translate="no">{}</span>', obj.code)


class CatalogueAdmin(LanguageOfPartsMixin, TranslationAdmin):
    """A catalogue edited in both languages side by side (ADR 0015)."""


class CatalogueTabularInline(LanguageOfPartsMixin, TranslationTabularInline):
    """Rows of a catalogue edited in both languages inside their parent's page."""


@admin.register(Region)
class RegionAdmin(CatalogueAdmin):
    list_display = ["code", "name", "parent"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]


@admin.register(Department)
class DepartmentAdmin(CatalogueAdmin, SimpleHistoryAdmin):
    list_display = ["code", "name", "region"]
    list_select_related = ["region"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["region"]


@admin.register(Matter)
class MatterAdmin(CatalogueAdmin, SimpleHistoryAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Competence)
class CompetenceAdmin(SimpleHistoryAdmin):
    list_display = ["matter", "region", "department"]
    list_select_related = ["matter", "region", "department"]
    list_filter = ["matter", "department"]
    autocomplete_fields = ["matter", "region", "department"]


@admin.register(RegulatorMembership)
class RegulatorMembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "department", "role", "is_active"]
    list_select_related = ["user", "department"]
    list_filter = ["role", "is_active", "department"]
    search_fields = ["user__username", "department__name"]
    autocomplete_fields = ["user", "department"]


REPRESENTATION_FIELDS = [
    "user",
    "role",
    "status",
    "method",
    "evidence",
    "covers_all_matters",
    "valid_from",
    "valid_until",
    "reviewed_by",
    "reviewed_at",
    "review_reason",
    "revoked_by",
    "revoked_at",
    "revoke_reason",
]


# The keys of a representation's evidence (``directory.representation.services`` and the
# letter upload of ``commitments.lifecycle.services.representation``), by their labels.
EVIDENCE_LABELS = {
    "role": _("role"),
    "filename": _("file name"),
    "size": _("size in bytes"),
    "sha256": "SHA-256",
    "storage": _("kept in"),
    "uploaded_at": _("uploaded at"),
    "granted_by": _("granted by"),
    "matters": _("matters"),
    "valid_from": _("valid from"),
    "valid_until": _("valid until"),
    "request": _("request"),
    "declared": _("declared"),
}
EVIDENCE_VALUES = {
    "role": dict(Representation.Role.choices),
    "declared": {"code typed at registration": _("code typed at registration")},
    "storage": {"signed_document": _("the platform's store of signed documents")},
}


class EvidenceShownMixin(ShownFieldsMixin):
    shown_fields = {"evidence": "shown_evidence"}

    @admin.display(description=_("evidence"))
    def shown_evidence(self, representation: Representation) -> str:
        return labelled_table(
            labelled_values(representation.evidence, EVIDENCE_LABELS, EVIDENCE_VALUES)
        )


class RepresentationInline(EvidenceShownMixin, admin.TabularInline):
    """Read-only: representations change only through proof, review, grant and revocation
    (``directory.representation.services``), each recorded with who and why."""

    model = Representation
    fk_name = "subject"
    extra = 0
    fields = REPRESENTATION_FIELDS
    readonly_fields = REPRESENTATION_FIELDS
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Representation)
class RepresentationAdmin(EvidenceShownMixin, SimpleHistoryAdmin):
    """Read-only, with history: who proved, granted, reviewed or revoked what, and why."""

    list_display = ["subject", "user", "role", "status", "method", "valid_until"]
    list_select_related = ["subject", "user"]
    list_filter = ["status", "role", "method"]
    search_fields = ["subject__name", "subject__code", "user__username"]
    readonly_fields = ["subject", "granted_by", "matters", *REPRESENTATION_FIELDS]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class SubjectAddForm(forms.ModelForm):
    """Registration by an officer, who may accept a legal early code with a recorded reason."""

    class Meta:
        model = Subject
        fields = ["kind", "code", "name", "region", "checksum_override_reason"]

    def clean(self):
        cleaned = super().clean()
        kind, code = cleaned.get("kind"), cleaned.get("code")
        if kind and code:
            identifier_kind = (
                IdentifierKind.USCC if kind == Subject.Kind.COMPANY else IdentifierKind.RESIDENT_ID
            )
            check = check_identifier(identifier_kind, code)
            cleaned["code"] = check.value
            if check.problem is IdentifierProblem.FORMAT:
                self.add_error("code", _("This identifier is not well-formed."))
            elif check.problem is IdentifierProblem.BIRTH_DATE:
                self.add_error(
                    "code",
                    _("The birth date inside this resident identity number is not a real date."),
                )
            elif (
                check.problem is IdentifierProblem.CHECKSUM
                and not (cleaned.get("checksum_override_reason") or "").strip()
            ):
                self.add_error(
                    "checksum_override_reason",
                    _(
                        "The check character is wrong (expected %(expected)s). "
                        "To accept this code, record why."
                    )
                    % {"expected": check.expected_check_character},
                )
        return cleaned


@admin.register(Subject)
class SubjectAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "shown_code", "region"]
    list_select_related = ["region"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["region"]
    inlines = [RepresentationInline]

    @admin.display(description=_("code"), ordering="code")
    def shown_code(self, subject: Subject) -> str:
        """The code as lists show it: a resident ID masked."""
        return subject.display_code

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = SubjectAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["kind", "code", "checksum_override_reason", "checksum_overridden_by", "created_at"]

    def save_model(self, request, obj, form, change):
        """A new subject goes through the registration service, like an applicant's."""
        if change:
            obj._history_user = request.user
            obj._change_reason = "changed in the admin"
            super().save_model(request, obj, form, change)
            return
        try:
            registered = directory_services.subject_register(
                kind=obj.kind,
                code=obj.code,
                name=obj.name,
                region=obj.region,
                checksum_override_reason=obj.checksum_override_reason,
                officer=request.user,
            )
        except DomainError as error:  # a race with another registration of the code
            self.message_user(request, error.message, messages.ERROR)
            raise
        obj.pk = registered.pk
        obj.code = registered.code
        obj._state.adding = False
        obj._state.db = registered._state.db


@admin.register(WorkingDayOverride)
class WorkingDayOverrideAdmin(SimpleHistoryAdmin):
    list_display = ["date", "is_working_day", "note"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"
    search_fields = ["note"]


@admin.register(CalendarYear)
class CalendarYearAdmin(SimpleHistoryAdmin):
    """Where an administrator records that a year's official arrangement is announced."""

    list_display = ["year", "announcement", "announced_on"]
    search_fields = ["announcement"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "matter",
        "region",
        "field_name",
        "field_value",
        "department",
        "priority",
        "is_active",
    ]
    list_select_related = ["matter", "region", "department"]
    list_filter = ["is_active", "matter", "department"]
    search_fields = ["name", "field_value"]
    autocomplete_fields = ["matter", "region", "department"]
    filter_horizontal = ["eligible_regulators"]

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        obj._change_reason = "changed in the admin" if change else "created in the admin"
        super().save_model(request, obj, form, change)


def is_language_column(model, name) -> bool:
    """Whether ``name`` is one language's column of a translated field (``title_en``)."""
    try:
        field = model._meta.get_field(name)
    except (FieldDoesNotExist, TypeError):  # a method or a callable shown as a field
        return False
    return getattr(field, "translated_field", None) is not None


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record that changes only through its services (or never): shown, never edited here.

    A translated field is shown once, in the reader's language (with the catalogue's fallback),
    not as one column per language: nothing is typed here, and the page speaks one language."""

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return [name for name in fields if not is_language_column(self.model, name)]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """The same, for rows shown inside their parent's page."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    """Made by logins through the identity provider; shown with its history, never edited."""

    list_display = ["subject_identifier", "issuer", "user", "linked_at", "last_login_at"]
    list_select_related = ["user"]
    search_fields = ["subject_identifier", "user__username"]


# The partitions' pages use the catalogue mixin above: registered once it is defined.
import directory.partitions.admin  # noqa: E402, F401
