"""The credit rules and catalogue the migrations seed, seeded again.

A transactional test empties every table when it ends, the rows the migrations seeded
included; a later transactional test that needs them seeds them itself with this (restoring
them by serialized rollback collides with the content types Django makes again after a
flush). Every seed here is idempotent.
"""

from __future__ import annotations

import importlib

from django.apps import apps


def credit_rules_seed(*, repair_rules: bool = False, pledge_defaulters: bool = False) -> None:
    """Rule sets, publicity rules, breach categories, measures, lists and grades; on request
    the repair rules and the pledge defaulters' list too."""
    importlib.import_module("credit.migrations.0002_seed_rules_and_catalogue").seed(apps, None)
    later = importlib.import_module(
        "credit.migrations.0003_seed_repair_rules_and_pledge_defaulters"
    )
    if repair_rules:
        later.seed_repair_rules(apps, None)
    if pledge_defaulters:
        later.seed_pledge_defaulters(apps, None)
