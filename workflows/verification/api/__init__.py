"""The REST API of the verification workflow: ``signing`` (which starts it), the regulators'
``tasks``, and ``rectification`` ordered on a task and submitted by the applicant.
"""
