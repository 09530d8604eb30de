"""The regulator workspace frame: every page renders, in both languages, with its menu."""

from __future__ import annotations

import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    "url_name", ["inbox", "queue", "team", "delegations", "dashboard", "sampling"]
)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_workspace_page_renders_in_both_languages(
    world, submitted_commitment, client, url_name, language
):
    client.force_login(world.supervisor)

    response = client.get(reverse(f"workflows:{url_name}"), HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    assert 'data-testid="nav-team"' in response.content.decode()
