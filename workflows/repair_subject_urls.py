"""The subject's repair and objection pages (mounted at /credit/), each filing started as a
viewflow process (``workflows.repair_flows``)."""

from django.urls import path

from commitments import repair_pages
from workflows import repair_flows


class RepairApplyView(repair_pages.RepairApplyView):
    submit = staticmethod(repair_flows.repair_submit)


class ObjectionView(repair_pages.ObjectionView):
    submit = staticmethod(repair_flows.objection_submit)


app_name = "repair"
urlpatterns = [
    path("<str:code>/repair/", repair_pages.RepairOverviewView.as_view(), name="overview"),
    path("<str:code>/repair/<int:breach_id>/", RepairApplyView.as_view(), name="repair"),
    path("<str:code>/objection/<int:breach_id>/", ObjectionView.as_view(), name="objection"),
]
