"""The applicant's pages, mounted at /commitments/ (signing is in ``workflows.applicant_urls``).

Each package brings its own pages; the catalogue's come first so that ``templates/`` is never
read as a commitment's reference.
"""

from django.urls import include, path

from commitments.obligations import urls as obligation_urls

app_name = "commitments"
urlpatterns = [
    path("", include("commitments.catalogue.urls")),
    path("", include("commitments.lifecycle.urls")),
]

# Obligations after signing; two segments, so no reference collides.
urlpatterns += [path("obligations/", include(obligation_urls.urlpatterns))]
