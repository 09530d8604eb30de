"""The commitments app's back office: each package registers its own models.

Django's admin autodiscovery imports this module; it imports the packages' admin modules.
"""

from commitments.associations import admin as associations_admin  # noqa: F401
from commitments.catalogue import admin as catalogue_admin  # noqa: F401
from commitments.lifecycle import admin as lifecycle_admin  # noqa: F401
from commitments.obligations import admin as obligations_admin  # noqa: F401
from commitments.pledges import admin as pledges_admin  # noqa: F401
