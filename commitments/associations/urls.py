"""URLs of associations.

- ``urlpatterns``: the officers' pages, mounted at /associations/ (namespace ``associations``);
- ``api_urlpatterns``: the API, included by ``commitments.urls`` (namespace ``commitments_api``).
"""

from django.urls import path

from commitments.associations import api, pages

app_name = "associations"
urlpatterns = [
    path("", pages.AssociationListView.as_view(), name="list"),
    path("<slug:association>/", pages.AssociationDetailView.as_view(), name="detail"),
    path("<slug:association>/issues/new/", pages.BulkIssueCreateView.as_view(), name="upload"),
    path(
        "<slug:association>/issues/<int:pk>/",
        pages.BulkIssueDetailView.as_view(),
        name="bulk_issue",
    ),
    path(
        "<slug:association>/issues/<int:pk>/progress.json",
        pages.BulkIssueProgressView.as_view(),
        name="progress",
    ),
    path(
        "<slug:association>/issues/<int:pk>/rows.csv",
        pages.BulkIssueRowsCsvView.as_view(),
        name="rows_csv",
    ),
    path("<slug:association>/members/", pages.MemberPledgeListView.as_view(), name="members"),
    path("<slug:association>/members.csv", pages.MemberPledgeCsvView.as_view(), name="members_csv"),
    path("<slug:association>/members/remind/", pages.MemberRemindView.as_view(), name="remind"),
]

api_urlpatterns = [
    path("associations/", api.AssociationListApi.as_view(), name="association-list"),
    path(
        "associations/<slug:association>/bulk-issues/",
        api.BulkIssueListApi.as_view(),
        name="bulk-issue-list",
    ),
    path(
        "associations/<slug:association>/bulk-issues/create/",
        api.BulkIssueCreateApi.as_view(),
        name="bulk-issue-create",
    ),
    path(
        "associations/<slug:association>/bulk-issues/<int:pk>/",
        api.BulkIssueDetailApi.as_view(),
        name="bulk-issue-detail",
    ),
    path(
        "associations/<slug:association>/bulk-issues/<int:pk>/rows/",
        api.BulkIssueRowListApi.as_view(),
        name="bulk-issue-rows",
    ),
    path(
        "associations/<slug:association>/members/",
        api.MemberPledgeListApi.as_view(),
        name="member-pledges",
    ),
    path(
        "associations/<slug:association>/reminders/",
        api.MemberRemindApi.as_view(),
        name="member-remind",
    ),
]
