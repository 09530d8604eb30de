""" "Check every case": the calling systems, the log of every check, the API they call, the
portable read (``read``) and the PostgreSQL fast path (``postgres``, the only module that
imports psycopg)."""
