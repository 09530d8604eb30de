"""Page tools of the officers' lists: remembered filters, with the sortable headers, urgency
marks and streamed CSV every list shares (``directory.lists``). The lists' own pages
(verification, repair) mix these in."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpResponseRedirect

from directory.lists import PAGING_KEYS, csv_download, sort_headers, sort_key, urgency_marks
from workflows.lists.selectors import saved_list_filter
from workflows.lists.services import list_filter_save

__all__ = [
    "PAGING_KEYS",
    "RememberedFiltersMixin",
    "csv_download",
    "sort_headers",
    "sort_key",
    "urgency_marks",
]


class RememberedFiltersMixin:
    """Open a list with the user's last filters; ``?clear=1`` forgets them.

    A visit without any filter key in the query string is sent to the saved filters; a visit
    with filter keys saves them (only the filter keys and the sort, never the page)."""

    list_name: str = ""
    filter_keys: tuple[str, ...] = ()

    def get(self, request, *args, **kwargs):
        user = request.user
        if "clear" in request.GET:
            list_filter_save(user=user, list_name=self.list_name, query="")
            return HttpResponseRedirect(request.path)
        present = [key for key in request.GET if key in self.filter_keys]
        if not present:
            saved = saved_list_filter(user=user, list_name=self.list_name)
            if saved:
                return HttpResponseRedirect(f"{request.path}?{saved}")
        else:
            kept = [(key, value) for key, value in request.GET.items() if key in self.filter_keys]
            query = urlencode(kept)[:1000]
            list_filter_save(user=user, list_name=self.list_name, query=query)
        return super().get(request, *args, **kwargs)
