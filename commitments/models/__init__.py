"""The commitments app's models, one import per package so Django registers them.

Each package owns its models (``commitments.catalogue.models``, ``commitments.lifecycle.models``,
...); import a model from its package's module, never from here. Lifecycle state lives in
protected FSM fields and changes only through the transition methods, called from the
packages' services; every change is kept by django-simple-history.
"""

from commitments.associations import models as associations_models  # noqa: F401
from commitments.catalogue import models as catalogue_models  # noqa: F401
from commitments.lifecycle import models as lifecycle_models  # noqa: F401
from commitments.obligations import models as obligations_models  # noqa: F401
from commitments.pledges import models as pledges_models  # noqa: F401  (registers Tender, BidPledge)
