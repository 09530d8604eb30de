"""The public portal's URLs (mounted at /portal/)."""

from commitments.portal_views import app_name, urlpatterns  # noqa: F401
