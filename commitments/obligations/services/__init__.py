"""Writes of obligations, split by job: ``ladder`` (planning the warnings), ``extensions``,
``reports`` (performance), ``sweep`` (settling due warnings and breaches) and ``access``
(who may act). Each function is one business action in one transaction."""
