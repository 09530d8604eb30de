"""Page tools of the officers' lists: remembered filters, with the sortable headers, urgency
marks and streamed CSV every list shares (``directory.lists``). The lists' own pages
(verification, repair) mix these in."""

from __future__ import annotations

from directory.lists import (
    PAGING_KEYS,
    RememberedFiltersMixin,
    csv_download,
    filter_store_register,
    sort_headers,
    sort_key,
    urgency_marks,
)
from workflows.lists.selectors import saved_list_filter
from workflows.lists.services import list_filter_save

# The officers' filters are kept in the database, for every list that remembers them.
filter_store_register(read=saved_list_filter, save=list_filter_save)

__all__ = [
    "PAGING_KEYS",
    "RememberedFiltersMixin",
    "csv_download",
    "sort_headers",
    "sort_key",
    "urgency_marks",
]
