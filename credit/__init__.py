"""Credit records, below the commitments that feed them, in three packages:

- ``credit.record``: rule sets by date, breach categories, breaches (their source a typed
  reference, not a foreign key up), measures, red and black lists, grades, repair rules,
  publicity and its automatic end;
- ``credit.check``: "check every case": calling systems, the log of every check, the API, the
  portable read and the PostgreSQL fast path;
- ``credit.changes``: record change notices (who must hear of a change).

It imports only the directory (subjects, departments, matters) below it; the commitment
domain and the workflows call it.
"""
