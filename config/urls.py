"""Top-level URLs: applicant pages, the regulator workspace, the API and its schema."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from commitments.lifecycle import urls as lifecycle_urls
from commitments.portal import urls as portal_urls
from config import views
from workflows.figures import urls as figures_urls
from workflows.repair import urls as repair_urls
from workflows.verification import urls as verification_urls

urlpatterns = [
    # The API first: other systems call "check every case" on their hot path, and Django
    # tries the patterns in order, building the list of those tried for every include that
    # fails (about 0.1 ms before the API was reached). No pattern below matches under api/v1/
    # (tests/config/test_urls.py), so the order decides nothing else.
    path("api/v1/", include("config.api_urls")),
    path("", views.home, name="home"),
    path("commitments/", include("commitments.urls")),
    path("commitments/", include((verification_urls.applicant_urlpatterns, "submission"))),
    path("regulator/credit/", include(repair_urls.office_urls)),  # repair, objections
    path("regulator/", include((figures_urls.office_urlpatterns, "figures"))),
    path("regulator/", include("workflows.verification.urls")),
    path("notifications/", include("notifications.urls")),
    # The subject's credit record, own and public, and its repair and objections.
    path(
        "credit/",
        include(
            [
                path("", include((lifecycle_urls.record_urlpatterns, "credit"))),
                path("", include(repair_urls.subject_urls)),
            ]
        ),
    ),
    path("reports/", include("credit.reports.urls")),  # special credit reports; public check
    path("pledges/", include("commitments.pledges.urls")),  # bidding pledges
    path("portal/", include((figures_urls.public_urlpatterns, "public_figures"))),
    path("associations/", include("commitments.associations.urls")),  # industry associations
    path("portal/", include((portal_urls.urlpatterns, "portal"))),  # public portal, no login
    # verify/ and register/: public verification, no login
    path("", include((portal_urls.verification_urlpatterns, "public"))),
    path("", include("signing.urls")),  # tsa/, signing/ca.crl, signing/ca.crt
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/oidc/", include("directory.urls")),  # the identity provider's login
    path("accounts/", include("access.urls")),  # reauthenticate/
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

# The site's own error pages, in the visitor's language (config.views); never viewflow's.
handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
