"""The administrators' page of API tokens: issue (the secret is shown once), rotate, revoke.

Axes' own admin (attempts, logins, failures) sits beside it, under "Axes", its log of logins
named in the reader's language. Django's users and groups are its own pages, with their
permissions named in the reader's language.
"""

from __future__ import annotations

from axes import admin as axes_admin
from axes.models import AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from access.errors import AccessError
from access.models import ApiToken
from access.services import token_issue, token_revoke, token_rotate
from directory.admin.parts import NamedObjectsMixin


class ApiTokenIssueForm(forms.ModelForm):
    """Who the token is for, what for, and (optionally) until when."""

    expires_at = forms.DateTimeField(
        label=_("expires at"),
        required=False,
        help_text=_("Empty: the default lifetime (ACCESS_TOKEN_DAYS)."),
    )

    class Meta:
        model = ApiToken
        fields = ["user", "name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = get_user_model().objects.filter(is_active=True)


@admin.register(ApiToken)
class ApiTokenAdmin(SimpleHistoryAdmin):
    list_display = [
        "shown_name",
        "user",
        "prefix",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
        "is_valid_now",
    ]
    list_filter = ["revoked_at", "expires_at"]
    search_fields = ["name", "prefix", "user__username"]
    actions = ["rotate_tokens", "revoke_tokens"]
    readonly_fields = [
        "shown_name",
        "user",
        "prefix",
        "created_at",
        "created_by",
        "expires_at",
        "revoked_at",
        "revoked_by",
        "last_used_at",
        "replaced_by",
    ]

    @admin.display(description=_("name"), ordering="name")
    def shown_name(self, token: ApiToken) -> str:
        return token.shown_name

    @admin.display(boolean=True, description=_("valid"))
    def is_valid_now(self, token: ApiToken) -> bool:
        return token.is_valid(at=timezone.now())

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ApiTokenIssueForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "name", "expires_at"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        """Issue through the service; the secret is shown this once, never again."""
        if change:
            return
        issued = token_issue(
            user=form.cleaned_data["user"],
            name=form.cleaned_data["name"],
            expires_at=form.cleaned_data.get("expires_at"),
            by=request.user,
        )
        obj.pk = issued.token.pk
        obj.__dict__.update(issued.token.__dict__)
        self.message_user(
            request,
            _("Token issued. Its secret, shown only this once: %(secret)s")
            % {"secret": issued.secret},
            messages.WARNING,
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoked, never deleted: the history says who used what

    @admin.action(description=_("Rotate the selected tokens (the old ones stay valid a while)"))
    def rotate_tokens(self, request, queryset):
        for token in queryset:
            try:
                issued = token_rotate(token=token, by=request.user)
            except AccessError as error:
                self.message_user(request, f"{token}: {error.message}", messages.ERROR)
                continue
            self.message_user(
                request,
                _("%(token)s rotated. The new secret, shown only this once: %(secret)s")
                % {"token": token, "secret": issued.secret},
                messages.WARNING,
            )

    @admin.action(description=_("Revoke the selected tokens now"))
    def revoke_tokens(self, request, queryset):
        revoked = 0
        for token in queryset:
            try:
                token_revoke(token=token, by=request.user, reason="revoked in the admin")
            except AccessError as error:
                self.message_user(request, f"{token}: {error.message}", messages.ERROR)
                continue
            revoked += 1
        if revoked:
            self.message_user(
                request,
                ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", revoked)
                % {"count": revoked},
                messages.SUCCESS,
            )


# Django's default permissions (and viewflow's on a process), named in English when made
# ("Can add commitment").
DEFAULT_PERMISSION_NAMES = {
    "add": _("Can add %(name)s"),
    "change": _("Can change %(name)s"),
    "delete": _("Can delete %(name)s"),
    "view": _("Can view %(name)s"),
    "manage": _("Can manage %(name)s"),  # viewflow's, on each process proxy
}


def permission_label(permission: Permission) -> str:
    """A permission as the reader reads it: its app and model by their verbose names, and
    its name in the reader's language (a default one rebuilt from the model's name; another
    through the catalogue, where models declare it with gettext)."""
    model = permission.content_type.model_class()
    action = permission.codename.split("_", 1)[0]
    if model is None:
        return f"{permission.content_type} | {gettext(permission.name)}"  # noqa: INT001
    if permission.codename == f"{action}_{model._meta.model_name}" and (
        action in DEFAULT_PERMISSION_NAMES
    ):
        name = DEFAULT_PERMISSION_NAMES[action] % {"name": model._meta.verbose_name}
    else:
        name = gettext(permission.name)  # noqa: INT001 - the models' own message ids
    return f"{model._meta.app_config.verbose_name} | {model._meta.verbose_name} | {name}"


class PermissionLabelsMixin:
    """The permissions' select lists each permission by ``permission_label``."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and db_field.related_model is Permission:
            field.label_from_instance = permission_label
        return field


admin.site.unregister(Group)
admin.site.unregister(get_user_model())
admin.site.unregister(AccessLog)

# What django-axes stores for a request that did not say (no user agent, no path).
AXES_UNKNOWN = "<unknown>"


def axes_value(value: str) -> str:
    """A value axes logged, ``<unknown>`` as the reader's "unknown"."""
    return gettext("unknown") if value == AXES_UNKNOWN else value


class AccessLogPathFilter(admin.SimpleListFilter):
    """The paths of the log, an unknown one by the reader's word for it."""

    title = _("Path")
    parameter_name = "path_info"

    def lookups(self, request, model_admin):
        paths = AccessLog.objects.order_by("path_info").values_list("path_info", flat=True)
        return [(path, axes_value(path)) for path in paths.distinct()]

    def queryset(self, request, queryset):
        return queryset.filter(path_info=self.value()) if self.value() else queryset


@admin.register(AccessLog)
class AccessLogAdmin(NamedObjectsMixin, axes_admin.AccessLogAdmin):
    """django-axes' log of logins and logouts, each row named in the reader's language (its
    ``__str__`` is "Access Log for <user> @ <time>"), a value the request did not give as
    "unknown" rather than axes' ``<unknown>``."""

    list_display = [
        "attempt_time",
        "logout_time",
        "ip_address",
        "username",
        "shown_user_agent",
        "shown_path_info",
    ]
    list_filter = ["attempt_time", "logout_time", AccessLogPathFilter]
    fieldsets = (
        (None, {"fields": ("username", "shown_path_info")}),
        (_("Meta Data"), {"fields": ("shown_user_agent", "ip_address", "shown_http_accept")}),
    )
    readonly_fields = [
        *axes_admin.AccessLogAdmin.readonly_fields,
        "shown_user_agent",
        "shown_path_info",
        "shown_http_accept",
    ]

    def object_text(self, log: AccessLog) -> str:
        return gettext("Login of %(username)s at %(time)s") % {
            "username": log.username or gettext("unknown"),
            "time": date_format(timezone.localtime(log.attempt_time), "DATETIME_FORMAT"),
        }

    @admin.display(description=_("User Agent"), ordering="user_agent")
    def shown_user_agent(self, log: AccessLog) -> str:
        return axes_value(log.user_agent)

    @admin.display(description=_("Path"), ordering="path_info")
    def shown_path_info(self, log: AccessLog) -> str:
        return axes_value(log.path_info)

    @admin.display(description=_("HTTP Accept"))
    def shown_http_accept(self, log: AccessLog) -> str:
        return axes_value(log.http_accept)


@admin.register(Group)
class GroupAdmin(PermissionLabelsMixin, auth_admin.GroupAdmin):
    pass


class PasswordChangeForm(auth_forms.AdminPasswordChangeForm):
    """Django's admin password form with its help texts in the reader's language.

    Django builds them once, when its forms module is imported: the validators' rules in the
    language of that moment and the warning under "Password-based authentication" as an
    English string joined to a translated one. They are built again here for each request.
    """

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["password1"].help_text = password_validators_help_text_html()
        if "usable_password" in self.fields:
            self.fields["usable_password"].help_text = format_html(
                '{}<ul id="id_unusable_warning" class="messagelist"><li class="warning">{}'
                "</li></ul>",
                auth_forms.SetUnusablePasswordMixin.usable_password_help_text,
                _("If disabled, the current password for this user will be lost."),
            )


class PasswordHashWidget(auth_forms.ReadOnlyPasswordHashWidget):
    """The stored password's summary, its values marked as having no language.

    The algorithm, the salt's and the digest's first characters are codes, not words of the
    page's language: ``lang="zxx"`` (no linguistic content) tells a screen reader not to read
    a salt that happens to start with Latin letters ("IH****") as a Chinese or English word.
    """

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for entry in context["summary"]:
            if entry.get("value"):
                entry["value"] = format_html(
                    '<span lang="zxx" translate="no">{}</span>', entry["value"]
                )
        return context


class UserChangeForm(auth_forms.UserChangeForm):
    """Django's user form, its password summary marked as codes (``PasswordHashWidget``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        password = self.fields.get("password")
        if password:
            password.widget = PasswordHashWidget(attrs=password.widget.attrs)


@admin.register(get_user_model())
class UserAdmin(PermissionLabelsMixin, auth_admin.UserAdmin):
    form = UserChangeForm
    change_password_form = PasswordChangeForm
