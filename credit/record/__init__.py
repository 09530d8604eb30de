"""The credit record: rule sets, categories, breaches, measures, lists, grades, repair rules
and publicity."""
