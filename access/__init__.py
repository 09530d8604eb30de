"""Authentication of people and systems: API tokens, lockout after failed attempts, and
re-authentication before a signature.

A kernel-level app beside ``directory``: it may import ``directory``; ``directory`` never
imports it (``pyproject.toml``'s import contracts).
"""
