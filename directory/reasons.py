"""Reasons of history rows, stored in English, read in the reader's language.

Services record why a row changed (``audited_save(..., reason=…)``) in English, once, whatever
the language of whoever caused it: the history keeps one text, and the admin's history pages
show it to readers of either language. ``reason_text`` translates a stored reason by its
message id: a reason stored as written below is shown through gettext; one that fills in
values (a department's code, a case, a draw's number) is matched against its pattern and
shown as the translated pattern with the same values. A reason that matches nothing (a text
someone typed, a row older than its pattern) is shown as stored.
"""

from __future__ import annotations

import re
from functools import cached_property

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _

# The reasons services record, as they write them; ``%(name)s`` stands for a value filled in.
REASONS = (
    _("draft created"),
    _("draft edited"),
    _("signed"),
    _("commitment withdrawn"),
    _("obligation due date set on signing"),
    _("verification opened at %(department)s"),
    _("verification recorded: %(finding)s"),
    _("verification detail recorded"),
    _("evidence attached"),
    _("re-verified: %(finding)s"),
    _("verified: %(finding)s"),
    _("exempt under rule %(rule)s"),
    _(
        "grade %(grade)s subject; exemption rule %(rule)s of matter %(matter)s"
        " in force from %(day)s"
    ),
    _("exempt from verification (rule %(rule)s)"),
    _("drawn for a spot check in draw %(draw)s"),
    _("closed as exempt"),
    _("closed: the commitment was breached"),
    _("commitment withdrawn while %(state)s"),
    _("rectification ordered"),
    _("rectification submitted"),
    _("rectification deadline passed"),
    _("rectification evidence (%(stage)s)"),
    _("performance reported"),
    _("performance accepted"),
    _("performance rejected"),
    _("authorisation letter submitted"),
    _("letter approved: %(reason)s"),
    _("letter refused: %(reason)s"),
    _("agent authorised: %(reason)s"),
    _("agent authorisation requested: %(reason)s"),
    _("agent request refused: %(reason)s"),
    _("revoked: %(reason)s"),
    _("proven by %(method)s"),
    _("replaced by a proven %(role)s (%(method)s)"),
    _("claimed by typing the code (not proof)"),
    _("migrated: an unproven representative became a claim"),
    _("name from the identity provider"),
    _("logged in through the identity provider"),
    _("linked on first login through the identity provider"),
    _("created on first login through the identity provider"),
    _("tender announced"),
    _("pledged in place of a bid deposit"),
    _("pledge kept and released: %(kept)s"),
    _("pledge breached: %(outcome)s; non-refund notice"),
    _("amount paid"),
    _("unpaid at the deadline: listed"),
    _("pledge defaulter listed"),
    _("members' file uploaded"),
    _("members' file processing started"),
    _("members' file processed"),
    _("members' file unreadable"),
    _("breach recorded under %(rule_set)s"),
    _("breached: %(reason)s"),
    _("applied from the catalogue: %(measure)s"),
    _("approval consequence: %(consequence)s"),
    _("publication started"),
    _("maximum publicity period reached"),
    _("duration over"),
    _("listing period over"),
    _("red-listed"),
    _("left the red list: breach %(breach)s"),
    _("prior notice of black-listing"),
    _("designated after prior notice"),
    _("record marked under objection"),
    _("under %(case)s"),
    _("repaired on %(case)s"),
    _("revoked on %(case)s"),
    _("record repaired (%(case)s)"),
    _("record revoked (%(case)s)"),
    _("repair applied for"),
    _("repair granted"),
    _("repair refused"),
    _("objection filed"),
    _("objection rejected"),
    _("objection upheld: corrected"),
    _("objection upheld: revoked"),
    _("forwarded to the providing department: %(reason)s"),
    _("delegation: %(reason)s"),
    _("delegation revoked"),
    _("registered"),
    _("registered with checksum override"),
    _("special credit report %(reference)s requested by %(user)s"),
    _("calling system registered"),
    _("API token issued"),
    _("API token rotated (successor)"),
    _("API token rotated; valid until %(moment)s"),
    _("API token revoked: %(reason)s"),
    _("revoked in the admin"),
    _("retired in the admin"),
    _("activated in the admin"),
    _("changed in the admin"),
    _("created in the admin"),
    _("default warning ladder"),
    _("signing waits for the timestamp service"),
    _("timestamp service did not answer"),
    _("demo data"),
    _("demo: letter checked against the business licence"),
    _("demo token printed again"),
)

_FIELD = re.compile(r"%\((\w+)\)s")


class RecordedTexts:
    """Texts the platform records once, in English, read in the reader's language.

    ``texts`` are the message ids as the platform writes them (``%(name)s`` for a value
    filled in). A stored text that is one of them is shown through gettext; one that matches
    a pattern is shown as the translated pattern with the same values (each value itself
    read the same way: a reason may quote another). Anything else is shown as stored.
    """

    def __init__(self, texts: tuple[str, ...]) -> None:
        self.texts = texts
        self.plain = frozenset(text for text in texts if "%(" not in text)

    @cached_property
    def patterns(self) -> tuple[tuple[re.Pattern[str], str], ...]:
        """Each text with a value as a regular expression, the value in a named group."""
        patterns = []
        for text in self.texts:
            if "%(" not in text:
                continue
            parts = _FIELD.split(text)  # literal, name, literal, name, …, literal
            expression = "".join(
                re.escape(part) if position % 2 == 0 else f"(?P<{part}>.+?)"
                for position, part in enumerate(parts)
            )
            patterns.append((re.compile(expression + r"\Z", re.S), text))
        return tuple(patterns)

    def is_recorded(self, stored: str | None) -> bool:
        """Whether ``stored`` is one of the texts (rather than something a person typed)."""
        return bool(stored) and (
            stored in self.plain or any(pattern.match(stored) for pattern, _ in self.patterns)
        )

    def text(self, stored: str | None) -> str:
        """``stored`` in the active language (as stored when it is none of the texts)."""
        if not stored:
            return ""
        if stored in self.plain:
            return gettext(stored)  # noqa: INT001 - the message ids are the recorded texts
        for expression, text in self.patterns:
            match = expression.match(stored)
            if match:
                values = {name: self.text(value) for name, value in match.groupdict().items()}
                return gettext(text) % values  # noqa: INT001 - the message ids are the texts
        return stored


RECORDED_REASONS = RecordedTexts(REASONS)


def reason_text(stored: str | None) -> str:
    """The stored reason in the active language (as stored when it is not one of ``REASONS``)."""
    return RECORDED_REASONS.text(stored)
