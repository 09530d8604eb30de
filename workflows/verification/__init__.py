"""Verification of inform-and-commit commitments: ``InformCommitFlow`` and the regulators' work.

Routing and assignment of each signed commitment, the queue index with its inbox, queue and
team lists, service levels and reminders, on-site spot-check sampling, delegations during
absences, the regulator and supervisor pages, the applicant's sign action that starts the
flow, and the tasks API.
"""
