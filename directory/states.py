"""The state field of every lifecycle: django-fsm's ``FSMField``, recorded in migrations as
the ``CharField`` it stores.

An ``FSMField`` connects a ``class_prepared`` receiver each time it joins a model class, and
never lets go. ``migrate`` renders the historical models again after each operation, so with
``FSMField`` in the migrations the receivers piled up by the hundred, every model rendered
called each of them, and a fresh ``migrate`` spent most of its four minutes in Django's
signal dispatch. The historical models need no transitions: in the migrations the column is
the plain ``CharField`` it always was in the database (the same type, length and choices).
"""

from __future__ import annotations

from django_fsm import FSMField


class StateField(FSMField):
    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        kwargs.pop("protected", None)  # a rule of the live model, not of the column
        return name, "django.db.models.CharField", args, kwargs
