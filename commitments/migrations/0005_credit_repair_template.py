"""Kept as a node of the migration graph (later migrations depend on it).

The credit-repair and bidding-pledge templates are created on first use by
``commitments.services.credit_templates.active_template`` instead of here, so that tests and
demo data that count templates see only their own. This migration does nothing.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("commitments", "0004_registry_events_signing_requests")]
    operations = []
