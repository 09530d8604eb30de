"""Writes of a commitment's life: draft, sign, withdraw, verify, breach, sign again later, and
the public register's events. Each function is one business action in one transaction: lock,
check, transition, save with who and why, and only then anything else."""
