"""Starting drafts: one (``commitment_issue``) or many at once (``commitments_issue_many``).

Both run the same checks of a draft — the subject not on an excluding list, the template open
for use, a competent department for the matter in the region, the template's fields — and
differ only in how they reach the database. ``commitments_issue_many`` (an association's
members' file, ADR 0033) asks for the exclusions of all its subjects in one query and for each
region's competent department once, and inserts the drafts and their history rows with one
``INSERT`` each; the caller holds the transaction, so a chunk's drafts commit together.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commitments.catalogue.models import CommitmentTemplate
from commitments.errors import CommitmentError, ErrorCode, invalid_input
from commitments.lifecycle.models import Commitment
from commitments.lifecycle.services.breaches import subjects_exclusion_refusals
from directory import selectors as directory_selectors
from directory.bulk import bulk_insert
from directory.city import city_date
from directory.inputs import normalise_text
from directory.models import Region, Subject
from signing.render.glyphs import undrawable_message

REFERENCE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
DRAFT_CREATED = "draft created"
# Foreign keys a draft is given as loaded objects: checking each exists again is a query each.
LOADED_RELATIONS = ("template", "subject", "region", "created_by")


def new_reference(now) -> str:
    """Return ``CN`` + the city's date (China Standard Time, not UTC's) + 8 random characters."""
    suffix = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"CN{city_date(now):%Y%m%d}{suffix}"


def clean_field_values(template: CommitmentTemplate, values: dict) -> dict:
    """Keep the template's fields only, trimmed; report every missing or too long one."""
    values = values or {}
    cleaned, errors = {}, {}
    for spec in template.fields:
        name = spec["name"]
        raw = values.get(name, "")
        value = normalise_text(str(raw), multiline=True) if raw is not None else ""
        max_length = int(spec.get("max_length", 500))
        if spec.get("required", True) and not value:
            errors[name] = [_("This field is required.")]
        elif len(value) > max_length:
            errors[name] = [_("At most %(n)d characters.") % {"n": max_length}]
        elif (problem := undrawable_message(value)) is not None:
            errors[name] = [problem]
        cleaned[name] = value
    unknown = sorted(set(values) - {spec["name"] for spec in template.fields})
    for name in unknown:
        errors[name] = [_("This template has no such field.")]
    if errors:
        raise CommitmentError(
            ErrorCode.INVALID,
            _("Some fields need correcting."),
            fields=errors,
            field=next(iter(errors)),
        )
    return cleaned


@dataclass(frozen=True)
class IssueRequest:
    """One draft to start: for whom, with what values, in which region (else the subject's)."""

    subject: Subject
    field_values: dict
    region: Region | None = None


def _template_open_check(template: CommitmentTemplate) -> None:
    if template.status != CommitmentTemplate.Status.ACTIVE:
        raise CommitmentError(
            ErrorCode.TEMPLATE_NOT_ACTIVE,
            _("This commitment template is not open for use."),
            field="template",
        )


def _history_insert(drafts: list[Commitment], *, by: AbstractBaseUser, reason: str, now) -> None:
    """The drafts' history rows, copied by the database from the rows just inserted: one
    ``INSERT … SELECT`` with the rows simple-history writes (every tracked column, ``+``, the
    officer, the reason, the moment), without building a historical instance per draft."""
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history = Commitment.history.model
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in history.tracked_fields)
    marks = ", ".join(["%s"] * len(drafts))
    # Only quoted names from the models' metadata are formatted in; every value is bound.
    sql = (
        f"INSERT INTO {quote(history._meta.db_table)} ({columns}, history_date, "  # noqa: S608
        "history_change_reason, history_type, history_user_id) "
        f"SELECT {columns}, %s, %s, %s, %s FROM {quote(Commitment._meta.db_table)} "
        f"WHERE {quote(Commitment._meta.pk.column)} IN ({marks})"
    )
    moment = history._meta.get_field("history_date").get_db_prep_value(now, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [moment, reason, "+", by.pk, *(draft.pk for draft in drafts)])


def _insert(drafts: list[Commitment], *, by: AbstractBaseUser, reason: str, now) -> None:
    """Insert the drafts and their history rows (one statement each); a reference drawn twice
    (about one chance in 10¹¹ per pair and day) draws the chunk's references again."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                bulk_insert(Commitment, drafts)  # ``bulk_create``, compiled once
                _history_insert(drafts, by=by, reason=reason, now=now)
            return
        except IntegrityError:
            for draft in drafts:
                draft.pk, draft.reference = None, new_reference(now)
                draft._state.adding = True
    raise CommitmentError(ErrorCode.CONCURRENT_CHANGE, _("Please try again."))


def commitments_issue_many(
    *,
    by: AbstractBaseUser,
    template: CommitmentTemplate,
    requests: list[IssueRequest],
    reason: str = DRAFT_CREATED,
) -> list[Commitment | CommitmentError]:
    """Start a draft for each request, prepared by ``by`` on its own authority (the caller has
    checked it); each request's outcome in order: its saved draft or why it was refused.

    A template that is not open refuses the whole call. Queries: one for the exclusions, one
    per distinct region for its department, one insert for the drafts, one for their history.
    """
    _template_open_check(template)
    refusals = (
        {}
        if template.kind == CommitmentTemplate.Kind.CREDIT_REPAIR  # repair restores eligibility
        else subjects_exclusion_refusals(subjects=[request.subject for request in requests])
    )
    departments: dict[int, bool] = {}
    now = timezone.now()
    outcomes: list[Commitment | CommitmentError] = []
    drafts: list[Commitment] = []
    for request in requests:
        region = request.region or request.subject.region
        if (refusal := refusals.get(request.subject.pk)) is not None:
            outcomes.append(refusal)
            continue
        if region is None:
            outcomes.append(
                invalid_input("region", _("Choose the region where the matter is handled."))
            )
            continue
        if region.pk not in departments:
            departments[region.pk] = (
                directory_selectors.competent_department(matter=template.matter, region=region)
                is not None
            )
        if not departments[region.pk]:
            outcomes.append(
                invalid_input(
                    "region",
                    _("No department handles %(matter)s in %(region)s on commitment yet.")
                    % {"matter": template.matter.name, "region": region.name},
                )
            )
            continue
        try:
            cleaned = clean_field_values(template, request.field_values)
        except CommitmentError as error:
            outcomes.append(error)
            continue
        draft = Commitment(
            reference=new_reference(now),
            template=template,
            subject=request.subject,
            region=region,
            created_by=by,
            field_values=cleaned,
        )
        # The relations are loaded objects and the database enforces the reference's
        # uniqueness and the state's constraint: check the values, not what is known to hold.
        draft.full_clean(
            exclude=LOADED_RELATIONS, validate_unique=False, validate_constraints=False
        )
        drafts.append(draft)
        outcomes.append(draft)
    if drafts:
        _insert(drafts, by=by, reason=reason, now=now)
    return outcomes


def commitment_issue(
    *,
    by: AbstractBaseUser,
    subject: Subject,
    template: CommitmentTemplate,
    field_values: dict,
    region: Region | None = None,
) -> Commitment:
    """Start a draft for a subject to sign, prepared by ``by`` on its own authority (an
    association issuing its self-discipline pledge to a member): the caller has checked that
    authority; the subject's representatives sign it on the ordinary signing path."""
    (outcome,) = commitments_issue_many(
        by=by,
        template=template,
        requests=[IssueRequest(subject=subject, field_values=field_values, region=region)],
    )
    if isinstance(outcome, CommitmentError):
        raise outcome
    return outcome
