"""Writes of the verification process, one module per responsibility."""
