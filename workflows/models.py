"""The workflows app's models, defined in its capability packages (app label ``workflows``).

Django registers the models of an app from ``<app>.models``; this module only imports each
package's models for that. Import a model from its package
(``from workflows.verification.models import Delegation``), not from here.
"""

import workflows.audit.models  # noqa: F401
import workflows.lists.models  # noqa: F401
import workflows.repair.models  # noqa: F401
import workflows.verification.models  # noqa: F401
