"""The workflows app's flows, defined in its capability packages.

viewflow imports ``<app>.flows`` before migrating (to create the permissions that nodes may
declare); this module only imports each package's flows for that. Import a flow from its
package (``from workflows.verification.flows import InformCommitFlow``), not from here.
"""

import workflows.repair.flows  # noqa: F401
import workflows.verification.flows  # noqa: F401
