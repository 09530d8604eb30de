"""The lists reworked for issue #14 point 5, in Chromium at 390 and 1366 px, with their filters,
sorts and the rows the matrix's demo city holds: no horizontal scroll, no axe-core violation,
no console error (the whole-site check is ``test_every_page``; this one is for working on the
lists without running every page of every role)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser.test_every_page import (  # noqa: F401 - the fixtures are used by name
    PASSWORD,
    SCREENS,
    _load,
    _log_in,
    _problems,
    axe_source,
    site,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PAGES = {
    "applicant": [
        ("commitments:list", ""),
        ("commitments:list", "?status=signed&sort=-signed"),
    ],
    "regulator": [
        ("repair_office:breaches", ""),
        ("repair_office:breaches", "?status=counting&sort=repair"),
        ("workflows:queue", "?sort=subject"),
        ("workflows:inbox", "?sort=-received"),
        ("workflows:delegations", "?period=past&sort=-ends"),
        ("repair_office:list", "?sort=-due"),
    ],
    "supervisor": [
        ("workflows:team", "?sort=-subject"),
        ("workflows:sampling", "?sort=drawn"),
        ("workflows:delegations", ""),
        ("repair_office:breaches", ""),
    ],
    "admin": [("home", "")],
}


@pytest.mark.parametrize("role", list(PAGES))
def test_the_reworked_lists_fit_both_screens_and_pass_axe(site, browser, axe_source, role):  # noqa: F811
    city, base_url = site
    context = browser.new_context(base_url=base_url, locale="zh-CN", viewport=SCREENS[390])
    context.set_default_timeout(20_000)
    console: list[str] = []
    context.on(
        "console",
        lambda message: (
            console.append(f"console {message.type}: {message.text}")
            if message.type == "error" or "Content Security Policy" in message.text
            else None
        ),
    )
    page = context.new_page()
    failures = []
    try:
        _log_in(page, city.users[role].username)
        for name, query in PAGES[role]:
            url = reverse(name) + query
            page.set_viewport_size(SCREENS[390])
            console.clear()
            status = _load(page, url, axe_source)
            assert status == 200, f"{url} answered {status}"
            for width in SCREENS:
                page.set_viewport_size(SCREENS[width])
                problems = _problems(page, width) + (console if width == max(SCREENS) else [])
                if problems:
                    failures.append(f"{url} at {width} px:\n    " + "\n    ".join(problems))
    finally:
        context.close()
    assert not failures, "\n".join(failures)
