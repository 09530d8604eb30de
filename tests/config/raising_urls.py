"""The site's URLs plus one page that fails, to see what a visitor gets from a server error."""

from django.urls import path

from config.urls import (  # noqa: F401 - Django reads the handlers from the root URLconf
    handler400,
    handler403,
    handler404,
    handler500,
)
from config.urls import urlpatterns as site_urlpatterns


def broken_page(request):
    """Fail the way a bug does: an exception nobody caught."""
    raise RuntimeError("a bug in a page")


urlpatterns = [path("broken/", broken_page), *site_urlpatterns]
