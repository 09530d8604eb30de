"""The credit app's models, registered with Django: each package defines its own.

- ``credit.record.models``: rule sets, publicity rules, breach categories, the consequence
  catalogue, lists, grade and repair rules (``rules``); breaches, measures and list entries
  (``breaches``); the lifecycle base and shared choices (``base``).
- ``credit.check.models``: calling systems and the log of every check.
- ``credit.changes.models``: record change notices.
- ``credit.record.models.notices``: the repair notice of each breach.
- ``credit.reports.models``: special credit reports, and the sealed PDFs of repair notices.
- ``credit.opendata.models``: the events of the open data feed.

Import a model from the module that defines it, not from here.
"""

from credit.changes.models import RecordChangeNotice  # noqa: F401
from credit.check.models import CallingSystem, CheckQuery  # noqa: F401
from credit.opendata.models import OpenDataEvent  # noqa: F401
from credit.record.models.base import CreditStateModel, Purpose, RuleDomain, Severity  # noqa: F401
from credit.record.models.breaches import Breach, BreachSourceKind, ListEntry, Measure  # noqa: F401
from credit.record.models.notices import RepairNotice  # noqa: F401
from credit.record.models.rules import (  # noqa: F401
    BreachCategory,
    ConsequenceRule,
    CreditList,
    GradeRule,
    MeasureType,
    PublicityRule,
    RepairRule,
    RuleSet,
)
from credit.reports.models import CreditReport, SealedRepairNotice  # noqa: F401
