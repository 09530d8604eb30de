"""Who did it and why: the actor of background changes, and the one audited save.

Every state change is attributable. Services save through ``audited_save`` so the history row
carries the user and the reason; timers and workers act as the inactive ``system`` user.

``audited_save`` validates like ``full_clean()`` but without asking the database what it
already knows (ADR 0036): a foreign key whose related row is in memory (loaded, or just
saved) or whose value is the one the row was loaded with is not looked up again; a unique
field unchanged since loading is not checked again; a check constraint made of plain
comparisons is evaluated in Python on the values about to be written. Anything else is
validated exactly as ``full_clean()`` would, and the database's own constraints stand behind
all of it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q

from directory.compiled import CompiledQuery

SYSTEM_USERNAME = "system"


class LoadedValues(models.Model):
    """Remember the values a row was loaded with, so an unchanged one is not re-validated."""

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance.loaded_values = dict(zip(field_names, values, strict=True))
        return instance

    def refresh_from_db(self, using=None, fields=None, from_queryset=None) -> None:
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        refreshed = self._meta.concrete_fields
        if fields is not None:
            names = set(fields)
            refreshed = [f for f in refreshed if f.name in names or f.attname in names]
        deferred = self.get_deferred_fields()
        self.loaded_values = getattr(self, "loaded_values", {}) | {
            field.attname: getattr(self, field.attname)
            for field in refreshed
            if field.attname not in deferred
        }


# The system user, read by every automatic assignment: the statement compiled once.
_SYSTEM_USER = CompiledQuery(lambda: get_user_model().objects.filter(username=SYSTEM_USERNAME)[:1])


def system_user() -> AbstractBaseUser:
    """The actor recorded for changes made by timers and background work."""
    found = _SYSTEM_USER.models()
    if found:
        return found[0]
    user, created = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def audited_save(
    obj,
    *,
    by: AbstractBaseUser | None,
    reason: str,
    unique_by_construction: Iterable[str] = (),
    **kwargs,
) -> None:
    """Validate and save ``obj`` with the actor and reason that its history must show."""
    obj._history_user = by
    obj._change_reason = reason
    audited_clean(obj, unique_by_construction=unique_by_construction)
    obj.save(**kwargs)


def audited_clean(obj: models.Model, *, unique_by_construction: Iterable[str] = ()) -> None:
    """``full_clean()`` without the queries whose answer is already known (see the module).

    ``unique_by_construction`` names fields whose value is unique by the way it was made (a
    random reference retried on a collision, a log index handed out under a row lock): their
    uniqueness is left to the database's constraint alone.
    """
    unchanged = _unchanged_fields(obj)
    known_rows = unchanged | _related_rows_in_memory(obj)
    errors: dict = {}
    try:
        obj.clean_fields(exclude=known_rows)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    try:
        obj.clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    failed = {name for name in errors if name != NON_FIELD_ERRORS}
    try:
        obj.validate_unique(
            exclude=_unique_exclusions(obj, unchanged) | failed | set(unique_by_construction)
        )
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    try:
        _validate_constraints(obj, unchanged=unchanged, failed=failed)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def _unchanged_fields(obj) -> set[str]:
    """Names of the fields whose value is the one the row was loaded with."""
    loaded = getattr(obj, "loaded_values", None)
    if not loaded or obj._state.adding:
        return set()
    return {
        field.name
        for field in obj._meta.concrete_fields
        if field.attname in loaded and loaded[field.attname] == getattr(obj, field.attname)
    }


def _related_rows_in_memory(obj) -> set[str]:
    """Foreign keys pointing at a row held in memory that came from the database."""
    names = set()
    for field in obj._meta.concrete_fields:
        if not field.is_relation or getattr(obj, field.attname) is None:
            continue
        if not field.is_cached(obj):
            continue
        related = field.get_cached_value(obj)
        if (
            related is not None
            and not related._state.adding
            and related.pk == getattr(obj, field.attname)
        ):
            names.add(field.name)
    return names


def _unique_exclusions(obj, unchanged: set[str]) -> set[str]:
    """Unchanged fields whose uniqueness need not be checked again: every unique set they
    belong to is unchanged as a whole."""
    excluded = set(unchanged)
    unique_checks, _date_checks = obj._get_unique_checks()
    for _model, names in unique_checks:
        if not set(names) <= unchanged:
            excluded -= set(names)
    return excluded


class _NotPlain(Exception):
    """A condition this module does not evaluate itself: the database checks it."""


def _validate_constraints(obj, *, unchanged: set[str], failed: set[str]) -> None:
    errors: dict = {}
    for model, constraints in obj.get_constraints():
        for constraint in constraints:
            try:
                if isinstance(constraint, models.CheckConstraint):
                    if _holds(obj, Q(constraint.condition)) is False:
                        raise ValidationError(
                            constraint.get_violation_error_message(),
                            code=constraint.violation_error_code,
                        )
                    continue
                if (
                    isinstance(constraint, models.UniqueConstraint)
                    and constraint.fields
                    and constraint.condition is None
                    and set(constraint.fields) <= unchanged
                ):
                    continue
                constraint.validate(model, obj, exclude=failed, using=obj._state.db)
            except _NotPlain:
                constraint.validate(model, obj, exclude=failed, using=obj._state.db)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def _holds(obj, condition: Q) -> bool | None:
    """Evaluate a condition of plain comparisons as SQL would (None when unknown)."""
    results = [
        _holds(obj, child) if isinstance(child, Q) else _compare(obj, *child)
        for child in condition.children
    ]
    if condition.connector == Q.AND:
        value = False if False in results else (None if None in results else True)
    elif condition.connector == Q.OR:
        value = True if True in results else (None if None in results else False)
    else:
        raise _NotPlain
    return (None if value is None else not value) if condition.negated else value


def _compare(obj, lookup: str, expected) -> bool | None:
    name, _separator, operator = lookup.partition("__")
    try:
        field = obj._meta.get_field(name)
    except FieldDoesNotExist:
        raise _NotPlain from None
    if not field.concrete or hasattr(expected, "resolve_expression"):
        raise _NotPlain
    actual = getattr(obj, field.attname)
    if operator == "isnull":
        return (actual is None) == bool(expected)
    if operator not in ("", "exact") or "__" in operator:
        raise _NotPlain
    if isinstance(expected, models.Model):
        expected = expected.pk
    if expected is None:
        return actual is None
    if actual is None:
        return None
    return actual == expected
