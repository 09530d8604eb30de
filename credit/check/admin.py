"""The back office for the calling systems (editable, with history) and the log of every
check (read-only: it is append-only)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from credit.check.models import CallingSystem, CheckQuery
from credit.record.admin import ReadOnlyMixin
from directory.admin.parts import ShownFieldsMixin, labelled_table, labelled_values
from directory.reasons import reason_text


@admin.register(CallingSystem)
class CallingSystemAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "operator", "user", "is_active"]
    raw_id_fields = ["user"]


# The keys of a check's answer summary (``credit.check.selectors.CheckStatus.summary`` and the
# PostgreSQL statement) and of a special credit report's (``credit.reports.services``).
ANSWER_LABELS = {
    "found": _("subject found"),
    "grade": _("risk grade"),
    "black_listed": _("on a black list"),
    "red_listed": _("on a red list"),
    "measures": _("measures"),
    "commitment_allowed": _("commitment allowed"),
    "report": _("report"),
    "span_from": _("from"),
    "span_until": _("until"),
    "entries": _("entries"),
    "sha256": "SHA-256",
}


@admin.register(CheckQuery)
class CheckQueryAdmin(ShownFieldsMixin, ReadOnlyMixin, admin.ModelAdmin):
    """The append-only log has no simple-history table, so not ``SimpleHistoryAdmin`` (whose
    history page answered 500 for it): Django's own history page, which lists no change.

    A reason the platform recorded (a special report's) and the answer summary read in the
    reader's language."""

    list_display = ["asked_at", "calling_system", "subject_code", "purpose", "matter_code"]
    list_select_related = ["calling_system"]
    shown_fields = {"reason": "shown_reason", "answer": "shown_answer"}

    @admin.display(description=_("reason"))
    def shown_reason(self, query: CheckQuery) -> str:
        return reason_text(query.reason)

    @admin.display(description=_("answer summary"))
    def shown_answer(self, query: CheckQuery) -> str:
        return labelled_table(labelled_values(query.answer, ANSWER_LABELS))
