"""Admin pages that still show English on a Chinese page (or Chinese on an English one), known
and listed so that the one-language test covers every other admin page (ADR 0034). Each is
expected to fail until its cause is fixed; one that passes shows as XPASS: take it off.

Fixed causes, no longer listed: each language's column of a catalogue form carries its ``lang``
(and read-only pages show a translated field once, in the reader's language); history pages
name the app in the reader's language and leave an empty reason empty, not "None"; ``__str__``
texts show choices by their label, not their code; permissions are listed by the reader's
names of their app, model and action; many-to-many tables ("user-group relationship") and their
history are named in the reader's language; history pages show a reason the platform recorded
(``directory.reasons``) in the reader's language, each changed field by its name and its values
by their labels; Django's admin password form builds its help texts per request; a bidding
pledge's ``__str__`` shows its status by label; viewflow's field names the catalogue lacked.
Texts the platform records once in English are read through gettext by their message id
(``directory.reasons.RecordedTexts``): the names it gives its own API tokens, a members' file's
processing reasons, a special report's log reason; a queue row reads its step's title from the
flow instead of keeping a copy. JSON fields are shown as labelled values in the reader's
language (``directory.admin.parts.ShownFieldsMixin``): filled-in fields by the template's labels,
due-date bases in words, a representation's evidence, a check's answer, a members' file's
columns and row reasons, on change pages and in history lists (where an empty link is empty,
not "Deleted … (pk=None)"). Stored copies of catalogue texts (a breach's legal basis, a repair
notice's) are shown as the catalogue's in the reader's language; codes kept in fields without
choices got choices (publicity groups, an objection's prior record status); a sampling
policy's note is kept in both languages. viewflow's process and task pages and django-axes'
login log are the project's own admins that name each row in the reader's language
(``directory.admin.parts.NamedObjectsMixin``), with flow titles, step titles and status labels. A
user's password summary marks its algorithm, salt and digest as codes (``lang="zxx"``), as the
list of credit lists marks their codes ("trustworthy", which other systems receive in check
answers: ``directory.admin.parts.code_column``).

A used template's page and its history versions show each read-only language column in an
element that says its language and the fields to fill in by label (modeltranslation builds
their fieldsets without ``get_fields``: ``LanguageOfPartsMixin.get_fieldsets`` and
``ShownFieldsMixin.get_fieldsets`` place the displays there too); a warning step's channels are
chosen by their names, not typed as a JSON list of codes.

No cause remains: the list is empty, and a page added with one fails the test.
"""

ADMIN_LANGUAGE_GAPS: frozenset[str] = frozenset()
