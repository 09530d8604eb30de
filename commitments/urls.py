"""The commitments app's URLs, each package bringing its own.

- ``urlpatterns``: the applicant's pages, mounted at /commitments/ (namespace ``commitments``;
  signing is in ``workflows.verification.urls``). The catalogue's come first so that
  ``templates/`` is never read as a commitment's reference; obligations have two segments, so
  no reference collides.
- ``api_urlpatterns``: the API, mounted at /api/v1/ (namespace ``commitments_api``).
"""

from django.urls import include, path

from commitments.associations import urls as association_urls
from commitments.catalogue import urls as catalogue_urls
from commitments.lifecycle import urls as lifecycle_urls
from commitments.obligations import urls as obligation_urls
from commitments.pledges import urls as pledge_urls
from commitments.portal import urls as portal_urls

app_name = "commitments"
urlpatterns = [
    path("", include(catalogue_urls.urlpatterns)),
    path("", include(lifecycle_urls.urlpatterns)),
    path("obligations/", include(obligation_urls.urlpatterns)),
]

api_urlpatterns = [
    path("", include(lifecycle_urls.api_urlpatterns)),
    path("", include(catalogue_urls.api_urlpatterns)),
    path("", include(pledge_urls.api_urlpatterns)),
    path("", include(association_urls.api_urlpatterns)),
    path("obligations/", include(obligation_urls.api_urlpatterns)),
    path("", include(portal_urls.api_urlpatterns)),
]
