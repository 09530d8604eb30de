"""The workflows app's admin, registered by its capability packages.

Django's admin discovers ``<app>.admin``; this module only imports each package's admin.
"""

import workflows.lists.admin  # noqa: F401
import workflows.repair.admin  # noqa: F401
import workflows.verification.admin  # noqa: F401
