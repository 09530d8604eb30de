"""The workflows API's one namespace, ``workflows_api``, mounted at /api/v1/.

The verification API (signing, the regulators' tasks) and the repair and objection API share
this namespace, so one module includes both; each package keeps its own routes.
"""

from workflows.repair.urls import api_urlpatterns as repair_api_urlpatterns
from workflows.verification.urls import api_urlpatterns as verification_api_urlpatterns

app_name = "workflows_api"

urlpatterns = [*verification_api_urlpatterns, *repair_api_urlpatterns]
