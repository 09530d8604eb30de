"""What every page's menu needs to know about the person: which role's menu to show.

Pages in a role's own layout (``commitments/_layout.html``, ``workflows/layout.html``) choose
their menu themselves; shared pages (messages, statistics) extend ``base.html``, whose menu
asks ``navigation``. Each answer is one indexed query on the person's own rows, asked only
when a template reads it, and at most once per request.
"""

from __future__ import annotations

from django.utils.functional import cached_property

from directory.models import RegulatorMembership
from directory.representation.selectors import holds_letter_review_permission, letter_review_list
from directory.selectors import subject_list

# The menu's count of letters to review stops here ("99+"), at a fixed cost.
LETTER_COUNT_CAP = 100


class Navigation:
    """The menu's questions about one request's user, answered lazily."""

    def __init__(self, request):
        self.user = getattr(request, "user", None)

    @cached_property
    def memberships(self) -> list[tuple[int, str]]:
        if self.user is None or not self.user.is_authenticated:
            return []
        return list(
            RegulatorMembership.objects.filter(user=self.user, is_active=True).values_list(
                "department_id", "role"
            )
        )

    @cached_property
    def is_office(self) -> bool:
        """Department staff: the regulator workspace's menu."""
        return bool(self.memberships)

    @cached_property
    def is_supervisor(self) -> bool:
        return any(role == RegulatorMembership.Role.SUPERVISOR for _pk, role in self.memberships)

    @cached_property
    def may_see_statistics(self) -> bool:
        return self.is_supervisor or bool(self.user is not None and self.user.is_staff)

    @cached_property
    def credit_subjects(self) -> list:
        """The subjects whose credit record the person may open (it represents them)."""
        if self.user is None or not self.user.is_authenticated:
            return []
        return list(subject_list(represented_by=self.user).order_by("name", "pk")[:2])

    @cached_property
    def is_letter_officer(self) -> bool:
        """Whoever may review authorisation letters, as the letters' pages decide it
        (``is_representation_officer``: staff, or the dedicated permission, given to the user
        or to a group): staff without a query, the others with one."""
        return bool(self.user is not None and holds_letter_review_permission(self.user))

    @cached_property
    def letters_to_review(self) -> str:
        """How many authorisation letters wait for review, capped for the menu."""
        if not self.is_letter_officer:
            return ""
        count = letter_review_list().order_by()[:LETTER_COUNT_CAP].count()
        return f"{LETTER_COUNT_CAP - 1}+" if count >= LETTER_COUNT_CAP else str(count)


def navigation(request) -> dict:
    return {"navigation": Navigation(request)}
