"""The credit app's admin pages, registered with Django: the admin's autodiscovery imports
each app's ``admin`` module, and each package defines its own."""

import credit.changes.admin  # noqa: F401
import credit.check.admin  # noqa: F401
import credit.opendata.admin  # noqa: F401
import credit.record.admin  # noqa: F401
import credit.reports.admin  # noqa: F401
