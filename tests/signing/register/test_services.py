"""Appending to the register refuses nothing and malformed hashes, and changes nothing then."""

from __future__ import annotations

import pytest

from signing.register.models import LogLeaf
from signing.register.services import log_append


def test_appending_nothing_or_a_bad_hash_changes_nothing():
    # when / then
    with pytest.raises(ValueError):
        log_append([])
    with pytest.raises(ValueError):
        log_append([(b"short", "signed")])
    assert LogLeaf.objects.count() == 0
