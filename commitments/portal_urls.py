"""The public portal's URLs (mounted at /portal/)."""

from commitments.portal.pages import app_name, urlpatterns  # noqa: F401
