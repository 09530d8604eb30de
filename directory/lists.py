"""Page tools any list shares, whoever works it (officers, applicants): whitelisted sorting
with accessible headers, urgency in working days, CSV streamed for Excel, and filters
remembered per user (``RememberedFiltersMixin``). Where they are remembered is not known here:
``workflows.lists`` keeps them in the database and registers its store at start-up
(``filter_store_register``), so a list of any layer (commitments' included) remembers them
the same way."""

from __future__ import annotations

import csv
import datetime
from collections.abc import Callable, Iterable, Iterator
from urllib.parse import urlencode

from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from directory.calendar import working_days_from

# Query keys that move through a list without being filters.
PAGING_KEYS = ("after", "before", "page", "clear", "format")


def sort_key(request, allowed: Iterable[str], default: str) -> str:
    """The ``?sort=`` asked for if the list allows it (``key`` or ``-key``), else the default."""
    value = request.GET.get("sort", "")
    return value if value.lstrip("-") in set(allowed) and value else default


def sort_headers(request, columns: dict[str, str], current: str) -> dict[str, dict]:
    """Per sortable column: its link (the other direction, filters kept, back to page one)
    and its ``aria-sort`` state."""
    headers = {}
    for key, label in columns.items():
        is_current = current.lstrip("-") == key
        descending = current.startswith("-")
        query = request.GET.copy()
        for paging in PAGING_KEYS:
            query.pop(paging, None)
        query["sort"] = f"-{key}" if is_current and not descending else key
        headers[key] = {
            "label": label,
            "url": f"?{query.urlencode()}",
            "aria_sort": ("descending" if descending else "ascending") if is_current else "none",
        }
    return headers


def urgency_marks(
    rows: list, *, due_of: Callable[[object], datetime.date | None], today: datetime.date
) -> None:
    """Set ``urgency`` (the words) and ``is_overdue`` on each row from its due date, counted
    on the working-day calendar: 剩余 3 个工作日, 今天到期, 已逾期 2 个工作日."""
    due_dates = {row: due_of(row) for row in rows}
    counts = working_days_from(today, [day for day in due_dates.values() if day is not None])
    for row, day in due_dates.items():
        row.is_overdue = day is not None and day < today
        if day is None:
            row.urgency = ""
        elif day == today:
            row.urgency = _("due today")
        elif day > today:
            count = counts[day]
            row.urgency = ngettext(
                "%(count)d working day left", "%(count)d working days left", count
            ) % {"count": count}
        else:
            count = -counts[day]
            row.urgency = (
                ngettext(
                    "overdue by %(count)d working day", "overdue by %(count)d working days", count
                )
                % {"count": count}
                if count
                else _("overdue")
            )


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_download(filename: str, header: list[str], rows: Iterable[list]) -> StreamingHttpResponse:
    """Stream rows as CSV, UTF-8 with a byte-order mark so Excel reads the Chinese."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Where remembered filters are kept: (read(user, list_name) -> query, save(user, list_name,
# query)); registered by ``workflows.lists`` (the database), None until then.
_FILTER_STORE: tuple[Callable, Callable] | None = None


def filter_store_register(*, read: Callable, save: Callable) -> None:
    global _FILTER_STORE  # noqa: PLW0603 - one store per process, set once at start-up
    _FILTER_STORE = (read, save)


class RememberedFiltersMixin:
    """Open a list with the user's last filters; ``?clear=1`` forgets them.

    A visit without any filter key in the query string is sent to the saved filters; a visit
    with filter keys saves them (only the filter keys and the sort, never the page)."""

    list_name: str = ""
    filter_keys: tuple[str, ...] = ()

    def get(self, request, *args, **kwargs):
        if _FILTER_STORE is None or request.GET.get("format") == "csv":
            return super().get(request, *args, **kwargs)
        read, save = _FILTER_STORE
        user = request.user
        if "clear" in request.GET:
            save(user=user, list_name=self.list_name, query="")
            return HttpResponseRedirect(request.path)
        present = [key for key in request.GET if key in self.filter_keys]
        if not present:
            saved = read(user=user, list_name=self.list_name)
            if saved:
                return HttpResponseRedirect(f"{request.path}?{saved}")
        else:
            kept = [(key, value) for key, value in request.GET.items() if key in self.filter_keys]
            save(user=user, list_name=self.list_name, query=urlencode(kept)[:1000])
        return super().get(request, *args, **kwargs)
