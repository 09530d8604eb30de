"""What the sealed report and the repair notice print, in the reader's language (gettext).

Builds ``signing.render.report.IssuedDocument`` values from the record; the rendering and the
seal are signing's business.
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from credit.record.models.breaches import Breach, ListEntry, Measure
from credit.record.models.notices import RepairNotice
from credit.reports.selectors import ReportContent
from directory.city import city_time_text
from signing.render.report import IssuedDocument, Section

# A row refers to its rule set and legal basis by number (a narrow column); the record or
# measure gets the room the basis took.
BREACH_WIDTHS = (22, 55, 18, 30, 25, 20)
MEASURE_WIDTHS = (22, 93, 25, 30)
BASES_WIDTHS = (16, 54, 100)


def _day(value) -> str:
    return value.isoformat() if value else "—"


def _breach_status(breach: Breach) -> str:
    if breach.status == Breach.Status.REPAIRED:
        return _("Repaired")
    return str(breach.get_status_display())


class _Labels(dict):
    """The per-row labels of one report, each translated or formatted once: a listing repeats
    a handful of severities, statuses, departments and rule sets over hundreds of rows."""

    def once(self, key: tuple, make) -> str:
        label = self.get(key)
        if label is None:
            label = self[key] = make()
        return label


class _Bases(dict):
    """The distinct (rule set, legal basis) pairs a report's rows fall under, numbered in the
    order they first appear: a row prints the number, the closing section each pair once (an
    official report's notes) instead of every row its basis in full."""

    def reference(self, rule_set: str, basis: str) -> str:
        key = (rule_set, basis)
        number = self.get(key)
        if number is None:
            number = self[key] = f"[{len(self) + 1}]"
        return number

    def rows(self) -> tuple[tuple[str, ...], ...]:
        return tuple((number, rule_set, basis) for (rule_set, basis), number in self.items())


def _breach_rows(breaches: list[Breach], bases: _Bases) -> tuple[tuple[str, ...], ...]:
    labels = _Labels()
    return tuple(
        (
            _day(breach.record_date),
            breach.reason,
            labels.once(("severity", breach.severity), breach.get_severity_display),
            labels.once(
                ("department", breach.department_id),
                lambda breach=breach: breach.department.name if breach.department_id else "—",
            ),
            labels.once(
                ("basis", breach.rule_set_id, breach.category_id, breach.legal_basis),
                lambda breach=breach: bases.reference(
                    breach.rule_set.name, breach.legal_basis_display
                ),
            ),
            labels.once(("status", breach.status), lambda breach=breach: _breach_status(breach)),
        )
        for breach in breaches
    )


def _measure_status(measure: Measure) -> str:
    if measure.status == Measure.Status.LIFTED:
        return _("Repaired (lifted)")
    return str(measure.get_status_display())


def _measure_rows(measures: list[Measure], bases: _Bases) -> tuple[tuple[str, ...], ...]:
    labels = _Labels()
    return tuple(
        (
            _day(measure.starts_on),
            measure.measure_type.name,
            labels.once(
                ("basis", measure.breach.rule_set_id, measure.measure_type_id),
                lambda measure=measure: bases.reference(
                    measure.breach.rule_set.name, measure.measure_type.legal_basis
                ),
            ),
            labels.once(
                ("status", measure.status), lambda measure=measure: _measure_status(measure)
            ),
        )
        for measure in measures
    )


def _list_rows(entries: list[ListEntry], bases: _Bases) -> tuple[tuple[str, ...], ...]:
    return tuple(
        (
            _day(entry.entered_on),
            entry.credit_list.name,
            bases.reference(
                entry.breach.rule_set.name if entry.breach_id else "—",
                entry.credit_list.legal_basis,
            ),
            str(entry.get_status_display())
            + (f" ({_('exited')} {_day(entry.exited_on)})" if entry.exited_on else ""),
        )
        for entry in entries
    )


def report_document(
    *, content: ReportContent, reference: str, issued_at: datetime, verify_url: str
) -> IssuedDocument:
    """The special credit report as printed."""
    none = _("None")
    basis = _("Rule set and legal basis")  # a row's column: the number of its note
    breach_columns = (_("Date"), _("Record"), _("Severity"), _("Designated by"), basis, _("Status"))
    measure_columns = (_("From"), _("Measure"), basis, _("Status"))
    bases = _Bases()
    sections = [
        Section(
            _("1. Administrative penalties"),
            breach_columns,
            _breach_rows(content.penalties, bases),
            none,
            BREACH_WIDTHS,
        ),
        Section(
            _("2. Administrative coercive and joint disciplinary measures"),
            measure_columns,
            _measure_rows(content.coercive, bases),
            none,
            MEASURE_WIDTHS,
        ),
        Section(
            _("3. Lists of seriously dishonest subjects"),
            (_("Listed on"), _("List"), basis, _("Status")),
            _list_rows(content.lists, bases),
            none,
            MEASURE_WIDTHS,
        ),
    ]
    other = [
        Section(
            _("4. Other records: %(category)s") % {"category": rows[0].category.name},
            breach_columns,
            _breach_rows(rows, bases),
            none,
            BREACH_WIDTHS,
        )
        for rows in content.other_breaches.values()
    ]
    if not other:
        other = [Section(_("4. Other records by category"), (), (), none)]
    sections += other
    sections.append(
        Section(
            _("5. Other credit measures"),
            measure_columns,
            _measure_rows(content.other_measures, bases),
            none,
            MEASURE_WIDTHS,
        )
    )
    if bases:
        sections.append(
            Section(
                _("Rule sets and legal bases referred to above"),
                (_("No."), _("Rule set"), _("Legal basis")),
                bases.rows(),
                none,
                BASES_WIDTHS,
            )
        )
    subject = content.subject
    return IssuedDocument(
        language=get_language() or "zh-hans",
        title=_("Special credit report"),
        reference=reference,
        particulars=(
            (_("Reference"), reference),
            (_("Subject"), subject.name),
            (_("Unified code"), subject.code),
            (
                _("Period covered"),
                _("%(start)s to %(end)s")
                % {"start": _day(content.span_from), "end": _day(content.span_until)},
            ),
            (_("Issued"), city_time_text(issued_at, seconds=True)),
            (_("Entries"), str(content.entry_count)),
            (_("Verify online"), verify_url),
        ),
        sections=tuple(sections),
        closing=(
            _(
                "This report lists the records the platform holds for the subject over the "
                "period: items marked repaired were repaired under the rule set shown and are "
                "no longer published or shared. It is issued free of charge and sealed by the "
                "platform; anyone can check it with its reference at the address above, which "
                "also says whether the record has changed since it was issued."
            ),
        ),
    )


def notice_document(notice: RepairNotice, *, verify_url: str) -> IssuedDocument:
    """The credit repair notice as printed (两书同达), with the address of its public check."""
    breach = notice.breach
    if notice.is_repairable:
        when = _("From %(day)s (the end of the minimum publicity period).") % {
            "day": _day(notice.earliest_repair_on)
        }
    else:
        when = _("Records of this category cannot be repaired.")
    where = _("Online: %(path)s") % {"path": notice.apply_path}
    if notice.department_name:
        where += " · " + _("In person: %(department)s") % {"department": notice.department_name}
    return IssuedDocument(
        language=get_language() or "zh-hans",
        title=_("Credit repair notice"),
        reference=notice.reference,
        particulars=(
            (_("Reference"), notice.reference),
            (_("Subject"), breach.subject.name),
            (_("Unified code"), breach.subject.code),
            (_("Record"), f"{breach.category.name} ({_day(breach.record_date)})"),
            (_("Rule set"), notice.rule_set.name),
            (_("Repair may be applied for"), when),
            (
                _("Publication ends at the latest"),
                _day(notice.publication_ends_on),
            ),
            (_("Where to apply"), where),
            (_("Legal basis of repair"), notice.repair_basis),
            (_("Issued"), city_time_text(notice.issued_at, seconds=True)),
            (_("Verify online"), verify_url),
        ),
        sections=(
            Section(
                _("Materials needed"),
                (_("Material"),),
                tuple((label,) for label in notice.material_labels()),
                _("None: this record cannot be repaired."),
            ),
        ),
        closing=(
            _(
                "This notice goes out together with the decision that recorded the breach. "
                "Repair is free of charge. The designating department answers an application "
                "within the time limits of the rule set; once repaired, publication and "
                "sharing stop and the measures are lifted."
            ),
        ),
    )
