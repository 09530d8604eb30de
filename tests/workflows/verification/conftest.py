"""Fixtures of the verification tests; the shared ones (a signed commitment, its tasks, English)
are in ``tests/workflows/conftest.py``.

The API tests use the token client and the draft created over the API of ``tests/api``.
"""
