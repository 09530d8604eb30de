"""Who verifies: regions, departments, the matters they decide and their people."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Region(models.Model):
    """An administrative division (GB/T 2260), e.g. 440300 Shenzhen."""

    code = models.CharField(_("division code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def lineage(self) -> list[Region]:
        """This region and its ancestors, nearest first (used to find the competent body)."""
        chain, node = [], self
        while node is not None and node not in chain:
            chain.append(node)
            node = node.parent
        return chain


class Department(models.Model):
    """A regulating authority, e.g. a district's market regulation bureau."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departments")
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class Matter(models.Model):
    """An administrative matter decided on a commitment, e.g. a food-business permit."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    legal_basis = models.TextField(_("legal basis"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("matter")
        verbose_name_plural = _("matters")

    def __str__(self) -> str:
        return self.name


class Competence(models.Model):
    """Which department is competent for a matter in a region (routing held as data)."""

    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="competences")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="competences")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="competences")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("competence")
        verbose_name_plural = _("competences")
        constraints = [
            models.UniqueConstraint(
                fields=["matter", "region"], name="competence_unique_matter_region"
            )
        ]

    def __str__(self) -> str:
        return f"{self.matter} / {self.region} → {self.department}"


class RegulatorMembership(models.Model):
    """A user's seat in a department: a regulator works its queue, a supervisor oversees it."""

    class Role(models.TextChoices):
        REGULATOR = "regulator", _("Regulator")
        SUPERVISOR = "supervisor", _("Supervisor")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="regulator_memberships"
    )
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.REGULATOR)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("regulator membership")
        verbose_name_plural = _("regulator memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "department"], name="membership_unique_user_department"
            )
        ]
        indexes = [models.Index(fields=["department", "role", "is_active"])]

    def __str__(self) -> str:
        return f"{self.user} @ {self.department} ({self.get_role_display()})"
