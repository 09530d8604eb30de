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

The causes, by kind:
- history reasons and event texts recorded in English ("draft created", "verification
  opened", "token issued"), which gettext cannot reach once stored;
- JSON fields shown as stored (template field definitions, due-date bases, evidence);
- texts written once in one language by the platform (a task's title, a breach's legal basis,
  a check's reason) shown on read-only pages;
- viewflow's process and task pages (flow descriptions from docstrings, status codes);
- Django's password help texts (built in the language of the import) and django-axes' access
  log names, which their Chinese catalogues lack; a user's page shows the first letters of the
  password hash's salt, at random a Latin "word".
"""

ADMIN_LANGUAGE_GAPS = frozenset(
    {
        "admin/commitments/commitmenttemplate/<path:object_id>/change/",
        "admin/commitments/commitmenttemplate/^([^/]+)/history/([^/]+)/$",
        "admin/credit/creditlist/",
    }
)
