"""Writes of repair and objections, split by responsibility: ``repair`` (apply, decide),
``objections`` (file, forward, decide), ``limits`` (the statutory time limits and the steps
the flows run to keep them) and ``changes`` (telling the systems that received a record)."""
