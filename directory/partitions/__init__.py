"""Time-partitioned, append-only tables: their partitions made ahead by pg_partman, their rows
kept for the period the law sets (held as data) and then detached and dropped (ADR 0035)."""
