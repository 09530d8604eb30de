"""The credit repair notice that goes out with every breach decision (两书同达).

``repair_notice_issue`` runs inside ``breach_record``'s transaction, so a breach never exists
without its notice (and tells ``repair_notice_issued``'s receivers: the notice's sealed PDF
is made after the commit, by ``credit.reports``); ``repair_notices_backfill`` gives the
breaches recorded before notices existed theirs (the ``repair_notices_backfill`` management
command calls it).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from credit.record.models.breaches import Breach
from credit.record.models.notices import RepairMaterial, RepairNotice
from credit.record.models.rules import RepairRule
from credit.record.signals import repair_notice_issued


def repair_notice_reference(breach: Breach) -> str:
    """The notice's reference: its year and the breach's number (one notice per breach)."""
    return f"XF-{breach.record_date:%Y}-{breach.pk:08d}"


def _repair_rule(breach: Breach) -> RepairRule | None:
    rules = {
        rule.category_id: rule
        for rule in RepairRule.objects.filter(
            Q(category_id=breach.category_id) | Q(category__isnull=True)
        )
    }
    return rules.get(breach.category_id, rules.get(None))


def repair_notice_issue(*, breach: Breach, by: AbstractBaseUser) -> RepairNotice:
    """Write the repair notice of ``breach`` under its rule set (once; a repeat returns it).

    Repair may be applied for once the minimum publicity period has passed (the record's
    ``publicity_min_until``); the materials are the public repair commitment and the proof of
    performance; the designating department decides, and the subject applies online on the
    record's repair page or at that department.
    """
    existing = RepairNotice.objects.filter(breach=breach).first()
    if existing is not None:
        return existing
    rule = _repair_rule(breach)
    is_repairable = rule.is_repairable if rule is not None else True
    notice = RepairNotice(
        breach=breach,
        reference=repair_notice_reference(breach),
        rule_set=breach.rule_set,
        is_repairable=is_repairable,
        earliest_repair_on=breach.publicity_min_until,
        publication_ends_on=breach.publicity_max_until,
        materials=[RepairMaterial.COMMITMENT.value, RepairMaterial.PERFORMANCE.value]
        if is_repairable
        else [],
        apply_path=reverse("repair:repair", args=[breach.subject.code, breach.pk]),
        department_name=breach.department.name if breach.department_id else "",
        repair_basis=(rule.legal_basis if rule is not None else breach.rule_set.legal_basis),
        issued_by=by,
    )
    notice.full_clean()
    notice.save()
    repair_notice_issued.send(sender=RepairNotice, notice=notice)
    return notice


def repair_notices_backfill(*, by: AbstractBaseUser | None = None) -> int:
    """Issue the notice of every breach that has none (recorded before notices existed);
    returns how many were written. Each is issued by whoever recorded its breach."""
    written = 0
    for breach in (
        Breach.objects.filter(repair_notice__isnull=True)
        .select_related("subject", "department", "rule_set", "category", "recorded_by")
        .order_by("pk")
        .iterator(chunk_size=500)
    ):
        repair_notice_issue(breach=breach, by=by or breach.recorded_by)
        written += 1
    return written


def repair_notice_text(notice: RepairNotice) -> str:
    """The notice as plain text, in the active language: the message that carries the
    decision (in-app and e-mail) ends with it, and links to its PDF."""
    if notice.is_repairable:
        when = _("Repair may be applied for from %(day)s.") % {
            "day": notice.earliest_repair_on.isoformat()
        }
        materials = _("Materials needed: %(materials)s.") % {
            "materials": "; ".join(notice.material_labels())
        }
    else:
        when = _("Records of this category cannot be repaired.")
        materials = ""
    where = _("Apply online at %(path)s") % {
        "path": settings.SITE_URL.rstrip("/") + notice.apply_path
    }
    if notice.department_name:
        where += _(" or at %(department)s") % {"department": notice.department_name}
    lines = [
        _("Credit repair notice %(reference)s (rule set: %(rule_set)s)")
        % {"reference": notice.reference, "rule_set": notice.rule_set.name},
        when,
        materials,
        where + ".",
        _("The notice as a PDF: %(url)s")
        % {
            "url": settings.SITE_URL.rstrip("/")
            + reverse("reports:notice-pdf", args=[notice.reference])
        },
    ]
    return "\n".join(line for line in lines if line)
