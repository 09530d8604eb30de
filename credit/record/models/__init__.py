"""The credit record's models, by responsibility: ``base`` (the lifecycle base and shared
choices), ``rules`` (the rules held as data) and ``breaches`` (the record itself)."""
