"""Writes of the credit record, one module per responsibility."""
