"""URLs of the catalogue.

- ``urlpatterns``: the template pages, included by ``commitments.urls`` (namespace
  ``commitments``, mounted at /commitments/);
- ``api_urlpatterns``: the template API, included by ``commitments.urls``.
"""

from django.urls import path

from commitments.catalogue import api, pages

urlpatterns = [
    path("templates/", pages.TemplateListView.as_view(), name="templates"),
    path("templates/<int:pk>/notice/", pages.TemplateNoticeView.as_view(), name="notice"),
]

api_urlpatterns = [
    path("templates/", api.TemplateListApi.as_view(), name="template-list"),
    path("kinds/", api.KindListApi.as_view(), name="kind-list"),
]
