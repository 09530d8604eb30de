"""The workflows API's one namespace, ``workflows_api``, mounted at /api/v1/ by ``config``.

The verification API (signing, the regulators' tasks) and the repair and objection API share
this namespace; each package keeps its own routes, and this list only puts them together.
"""

from workflows.figures.urls import api_urlpatterns as figures_api_urlpatterns
from workflows.repair.urls import api_urlpatterns as repair_api_urlpatterns
from workflows.verification.urls import api_urlpatterns as verification_api_urlpatterns

api_urlpatterns = [
    *verification_api_urlpatterns,
    *repair_api_urlpatterns,
    *figures_api_urlpatterns,
]
