"""Reads of repair and objections, split by responsibility: ``eligibility`` (when a record may
be repaired, and why not), ``cases`` (the cases a subject or a department sees) and
``statistics`` (the city statistics page)."""
