"""The site's URL configuration: the API is tried first, and that order decides nothing but
how soon "check every case" is found."""

from __future__ import annotations

import re

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.exceptions import Resolver404

from config import api_urls
from config import urls as site_urls
from credit.check import urls as check_urls

SAMPLES = {
    "int": "7",
    "slug": "a-b",
    "str": "A1",
    "path": "a/b",
    "uuid": "0" * 8 + "-0000" * 3 + "-" + "0" * 12,
}


def _paths(patterns, prefix: str = "") -> list[str]:
    """A path for every route (each converter given a sample value; regex routes left out)."""
    found = []
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found += _paths(entry.url_patterns, route)
        elif isinstance(entry, URLPattern) and not route.startswith("^"):
            found.append("/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES[m[1] or "str"], route))
    return found


def _resolved(resolver: URLResolver, path: str):
    try:
        match = resolver.resolve(path)
    except Resolver404:
        return None
    return (match.func, match.args, match.kwargs, match.namespace, match.url_name)


class _Conf:
    def __init__(self, urlpatterns):
        self.urlpatterns = urlpatterns


def test_the_api_is_tried_first_and_the_check_first_within_it():
    first = get_resolver().url_patterns[0]

    assert str(first.pattern) == "api/v1/"
    assert first.urlconf_module is api_urls
    assert api_urls.urlpatterns[0].urlconf_module is check_urls


def test_every_route_resolves_as_with_the_api_tried_after_the_pages():
    # given the order before the API came first: the pages, then the API, then the rest
    api, *pages = site_urls.urlpatterns
    before = pages[:15] + [api] + pages[15:]
    assert [str(p.pattern) for p in before[14:17]] == ["", "api/v1/", "api/schema/"]
    [check, *other_api] = api_urls.urlpatterns
    api_before = _Conf(other_api[:2] + [check] + other_api[2:])
    before[15] = URLResolver(api.pattern, api_before)
    old = URLResolver(get_resolver().pattern, _Conf(before))

    # then every route, and a path under the API that none has, resolves the same way
    paths = [*_paths(site_urls.urlpatterns), "/api/v1/none/", "/api/v1/check/"]
    assert len(paths) > 300
    for path in paths:
        assert _resolved(get_resolver(), path) == _resolved(old, path), path
