"""Every page of every role in Chromium, on a phone (390 px) and a desktop (1366 px).

The pages are those the authorisation matrix lets each role read: every URL pattern, filled
with the objects of the matrix's demo city (``tests/config/test_authorisation_matrix.py``),
whose GET row in ``tests/config/authorisation_matrix.py`` says 200 for the role, the Django
admin included. Each role logs in with its password in a browser context of its own; the
calling system has a token and no password, so its pages are the anonymous ones (checked as
``anonymous``). Each page is loaded at the phone's size and checked, then the window is widened
to the desktop's (the page laid out again, as when a tablet turns) and checked again. It fails
on:

- horizontal scroll (the document wider than the window), naming the elements that stick out;
- any axe-core violation of WCAG 2.0/2.1 A and AA (axe-core from npm, ``tests/browser/axe``,
  run inside the page through the DevTools protocol, which the page's CSP does not govern);
- any console error, uncaught exception or Content-Security-Policy report.

A role's failures are collected over all its pages and reported together, one line per page
and width, so they can be fixed in one pass. Files that are not pages (PDF, CSV, certificates,
the schema) are skipped. Screenshots of the main pages are written to
``var/screenshots/<role>/<page>-<width>.png`` for people to look at.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from pytest_django.live_server_helper import LiveServer

from tests.config import authorisation_matrix as matrix
from tests.config.test_authorisation_matrix import PAGE_ROUTES, _build_city, page_url

# The database marker makes pytest-django create the test database; the city itself is
# committed by the module's fixture, outside each test's transaction.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCREENS = {390: {"width": 390, "height": 844}, 1366: {"width": 1366, "height": 900}}
PASSWORD = "pw-12345678"  # noqa: S105 — set on each role's person for this module
SCREENSHOT_DIR = Path(settings.BASE_DIR) / "var" / "screenshots"

# The roles that read pages in a browser. The calling system sends a token, not a password:
# the pages it may read are the anonymous ones, checked once as ``anonymous``.
ROLES = [role for role in matrix.ROLES if role != "calling_system"]

# Rules of axe-core that third-party markup breaks where the project's templates and CSS cannot
# reach, allowed under one URL prefix only: prefix -> {rule id: why}. Nothing else is allowed.
ALLOWED: dict[str, dict[str, str]] = {
    "/admin/": {
        "label": "Django's tabular inlines name their fields in column headers, not labels,"
        " and its split date/time widget leaves both inputs without one",
        "select-name": "Django's tabular inlines: the selects are named by column headers",
        "aria-input-field-name": "the Select2 autocomplete in Django gives its combobox no name",
        "aria-prohibited-attr": "Django's filter_horizontal script puts aria-label on a <span>",
        "scrollable-region-focusable": "Django's inline groups scroll sideways, not focusable",
    },
    "/api/docs/": {
        "color-contrast": "Swagger UI's own colours (drf-spectacular-sidecar)",
        "nested-interactive": "Swagger UI nests each operation's buttons in its summary button",
    },
}

# The pages people should look at, by URL pattern: the name of the screenshot.
SCREENSHOTS = {
    "accounts/login/": "login",
    "portal/": "portal",
    "portal/subjects/<str:code>/": "portal-subject",
    "commitments/": "commitments",
    "commitments/<str:reference>/": "commitment",
    "commitments/templates/": "templates",
    "commitments/obligations/mine/": "obligations",
    "commitments/obligations/<int:pk>/": "obligation",
    "credit/<str:code>/": "credit-record",
    "credit/<str:code>/public/": "credit-public",
    "pledges/": "pledges",
    "pledges/<int:pk>/": "pledge",
    "pledges/office/": "pledges-office",
    "notifications/": "messages",
    "regulator/": "regulator-home",
    "regulator/queue/": "queue",
    "regulator/tasks/<int:pk>/": "task",
    "regulator/credit/": "credit-cases",
    "regulator/credit/objection/<int:pk>/": "objection",
    "regulator/credit/repair/<int:pk>/": "repair",
    "regulator/dashboard/": "dashboard",
    "verify/": "verify",
    "verify/<str:reference>/": "verification",
    "admin/": "admin",
    # pages added since the first walk: batch signing, rectification, associations, credit
    # reports, deliveries of warnings and of record changes, the officers' breaches
    "commitments/batch/sign/": "batch-sign",
    "commitments/<str:reference>/rectification/": "rectification",
    "regulator/tasks/<int:pk>/rectify/": "rectify",
    "associations/": "associations",
    "associations/<slug:association>/": "association",
    "associations/<slug:association>/issues/<int:pk>/": "association-issue",
    "associations/<slug:association>/issues/new/": "association-issue-new",
    "associations/<slug:association>/members/": "association-members",
    "reports/": "reports",
    "reports/verify/": "report-verify",
    "reports/verify/<str:reference>/": "report-verification",
    "commitments/obligations/deliveries/": "warning-deliveries",
    "regulator/credit/deliveries/": "record-deliveries",
    "regulator/credit/breaches/": "breaches",
    # the supervisors' exempt cases waiting for a draw (the city has one: subject B, grade A)
    "regulator/exempt/": "exempt-cases",
}

# What sticks out of the window: the outermost elements below <body> whose box or content
# passes its right edge, each with the innermost element that does (a long word, a wide cell).
_OVERFLOW_JS = """() => {
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth <= width) return null;
  const reach = (element) => {
    const box = element.getBoundingClientRect();
    return Math.max(box.right, box.left + element.scrollWidth);
  };
  const beyond = (element) => reach(element) > width + 1;
  const describe = (element) => {
    let text = element.tagName.toLowerCase();
    if (element.id) text += '#' + element.id;
    if (element.classList.length) text += '.' + [...element.classList].join('.');
    return `${text} (${Math.round(reach(element))} px)`;
  };
  const innermost = (element) => {
    const child = [...element.children].find(beyond);
    return child ? innermost(child) : element;
  };
  const outermost = [...document.body.querySelectorAll('*')].filter((element) => beyond(element)
    && !(element.parentElement !== document.body && beyond(element.parentElement)));
  return {scrollWidth: document.documentElement.scrollWidth,
          elements: outermost.slice(0, 5).map((element) => {
            const inner = innermost(element);
            const words = inner.textContent.trim().slice(0, 40);
            return inner === element ? describe(element)
              : `${describe(element)} … ${describe(inner)}: "${words}"`;
          })};
}"""

_AXE_RUN_JS = """async (tags) => {
  // No preload: axe would fetch the style sheets into <style> elements, which the CSP refuses
  // (only the experimental css-orientation-lock rule reads them).
  const results = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                           resultTypes: ['violations'], preload: false});
  return results.violations.map((violation) => ({
    id: violation.id, impact: violation.impact, help: violation.help,
    targets: violation.nodes.map((node) => node.target.join(' ')),
  }));
}"""


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    """The matrix's demo city, committed so that a live server thread sees it, and that server.

    pytest-django's ``live_server`` would flush the database after each test; this module's
    tests share one city, built once; when the module is done the database is emptied and the
    rows the migrations seed are put back, as the other tests expect them.
    """
    with django_db_blocker.unblock():
        database = connection.settings_dict
        seeded = connection.creation.serialize_db_to_string()  # the migrations' seed rows
        keep_connections = database["CONN_MAX_AGE"]
        # The server's threads close their connections after each request, so none is left
        # open on the test database when pytest drops it.
        database["CONN_MAX_AGE"] = 0
        try:
            city = _build_city()
            for user in city.users.values():
                user.set_password(PASSWORD)
                user.save(update_fields=["password"])
            server = LiveServer("localhost")
            server._live_server_modified_settings.enable()
            try:
                yield city, server.url
            finally:
                server._live_server_modified_settings.disable()
                server.stop()
        finally:
            database["CONN_MAX_AGE"] = keep_connections
            # As Django's serialized rollback does: no post-migrate rows (the seed has them), and
            # the sequences go on, so no new row takes a restored row's id.
            call_command(
                "flush",
                interactive=False,
                verbosity=0,
                inhibit_post_migrate=True,
                reset_sequences=False,
            )
            connection.creation.deserialize_db_from_string(seeded)


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"axe-core is missing: run `npm ci` in {AXE.parents[2]} (make test does)")
    return AXE.read_text(encoding="utf-8")


def _role_pages(role: str) -> list[str]:
    """The URL patterns whose GET the matrix answers 200 for ``role``."""
    column = matrix.ROLES.index(role)
    return [
        route
        for route in PAGE_ROUTES
        if matrix.PAGES.get(route, {}).get("GET", "").split()[column : column + 1] == ["200"]
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_the_role_fits_a_phone_and_a_desktop_and_passes_axe(
    site, browser, axe_source, role
):
    city, base_url = site
    context = browser.new_context(base_url=base_url, locale="zh-CN", viewport=SCREENS[390])
    context.set_default_timeout(20_000)
    console: list[str] = []
    context.on(
        "console",
        lambda message: (
            console.append(
                f"console {message.type}: {message.text} (at {message.location.get('url')}"
                f":{message.location.get('lineNumber')})"
            )
            if message.type == "error" or "Content Security Policy" in message.text
            else None
        ),
    )
    page = context.new_page()
    page.on("pageerror", lambda error: console.append(f"uncaught: {error}"))
    failures: list[str] = []
    checked = 0
    try:
        if role != "anonymous":
            _log_in(page, city.users[role].username)
            _screenshot(page, role, "home", 390)
        for route in _role_pages(role):
            url = page_url(route, city)
            page.set_viewport_size(SCREENS[390])
            console.clear()
            status = _load(page, url, axe_source)
            if status is None:  # not a page: a PDF, a CSV, a certificate, the schema
                continue
            for width in SCREENS:
                page.set_viewport_size(SCREENS[width])
                problems = [] if status == 200 else [f"answered {status}, the matrix says 200"]
                problems += _problems(page, width)
                if width == max(SCREENS):
                    # What the page logged while it loaded has arrived by now (the checks
                    # were further round trips to the browser): it is the page's, at any width.
                    problems += console
                checked += 1
                allowed = next(
                    (rules for prefix, rules in ALLOWED.items() if url.startswith(prefix)), {}
                )
                problems = [line for line in problems if _axe_rule(line) not in allowed]
                if problems:
                    failures.append(
                        f"{url} ({route}) as {role} at {width} px:\n    " + "\n    ".join(problems)
                    )
                if route in SCREENSHOTS:
                    _screenshot(page, role, SCREENSHOTS[route], width)
    finally:
        context.close()
    lines = [line.strip() for failure in failures for line in failure.splitlines()[1:]]
    print(
        f"\n{role}: {checked} checks (page x width), {len(failures)} failing;"
        f" axe violations (rule x page x width): {sum(line.startswith('axe ') for line in lines)};"
        f" horizontal scroll: {sum(line.startswith('horizontal') for line in lines)};"
        f" console: {sum(line.startswith(('console', 'uncaught')) for line in lines)}"
    )
    assert checked, f"{role} has no page to check: is the matrix empty for it?"
    assert not failures, f"{len(failures)} of {checked} checks failed:\n" + "\n".join(failures)


def _log_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"{username} could not log in"


def _load(page, url: str, axe_source: str) -> int | None:
    """Open ``url`` with axe-core in it: its status, or None when it is not an HTML page."""
    try:
        response = page.goto(url)
    except Exception as error:  # Chromium downloads what it cannot show (PDF)
        if "Download is starting" in str(error):
            return None
        raise
    if response is None or "text/html" not in response.headers.get("content-type", ""):
        return None
    page.evaluate(axe_source)
    return response.status


def _problems(page, width: int) -> list[str]:
    """What is wrong with the open page at this width: overflow and axe-core's violations."""
    problems = []
    overflow = page.evaluate(_OVERFLOW_JS)
    if overflow:
        problems.append(
            f"horizontal scroll: {overflow['scrollWidth']} px wide at {width} px;"
            f" sticking out: {', '.join(overflow['elements']) or '(none found)'}"
        )
    for violation in page.evaluate(_AXE_RUN_JS, AXE_TAGS):
        targets = violation["targets"]
        problems.append(
            f"axe {violation['id']} ({violation['impact']}): {violation['help']} —"
            f" {json.dumps(targets[:6], ensure_ascii=False)}"
            + (f" and {len(targets) - 6} more" if len(targets) > 6 else "")
        )
    return problems


def _axe_rule(line: str) -> str | None:
    match = re.match(r"axe (\S+) ", line)
    return match[1] if match else None


def _screenshot(page, role: str, name: str, width: int) -> None:
    folder = SCREENSHOT_DIR / role
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
